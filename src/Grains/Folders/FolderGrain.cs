using Stratum.Access;
using Stratum.Index;
using Stratum.Operations;
using Stratum.Validation;

namespace Stratum.Folders;

/// <summary>
/// A folder: its record, its access bindings and its quota ledger. Every image created in it
/// takes quota here first, so usage never passes a limit.
/// </summary>
public sealed partial class FolderGrain(
    [PersistentState("folder", StorageNames.Folders)] IPersistentState<FolderState> state,
    Authorizer authorizer,
    ResourceIndex index,
    Changes.ChangePublisher changes,
    IGrainFactory grains) : Grain, IFolderGrain, IFolderInternalGrain
{
    public const string NameKind = "folder";
    public const string RootFolder = "root";

    private string Id => this.GetPrimaryKeyString();

    async Task<Folder> IFolderInternalGrain.InitializeAsync(CreateFolderRequest request, string operationId)
    {
        if (state.State.Folder is { } existing)
        {
            return state.State.CreateOperationId == operationId
                ? existing
                : throw new StratumException(ErrorCode.AlreadyExists, $"Folder '{Id}' already exists.");
        }
        state.State.Folder = new Folder(Id, DateTimeOffset.UtcNow, request.Name, request.Description ?? "",
            request.Labels ?? new Dictionary<string, string>());
        state.State.CreateOperationId = operationId;
        await WriteCoalescedAsync();
        await index.UpsertFolderAsync(state.State.Folder, []);
        return state.State.Folder;
    }

    Task<FolderAccess> IFolderInternalGrain.GetAccessAsync() =>
        Task.FromResult(state.State.Folder is null ? FolderAccess.Missing : new FolderAccess(true, state.State.Bindings.ToList()));

    async Task IFolderInternalGrain.ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas)
    {
        if (state.State.Folder is null || _deleting)
        {
            throw StratumException.NotFound("folder", Id);
        }
        if (state.State.AppliedTokens.Contains(token))
        {
            return;
        }
        foreach (var delta in deltas.Where(d => d.Amount > 0))
        {
            var limit = state.State.Limit(delta.Name);
            var usage = state.State.Used(delta.Name);
            if (usage + delta.Amount > limit)
            {
                throw new StratumException(ErrorCode.ResourceExhausted,
                    $"Quota {delta.Name} of folder '{Id}' would be exceeded: limit {limit}, usage {usage}, requested {delta.Amount}. " +
                    $"A platform admin can raise it with PATCH /compute/v1/folders/{Id}/quotas.");
            }
        }
        var applied = new List<(string Name, long Change)>();
        foreach (var delta in deltas)
        {
            var before = state.State.Usage.GetValueOrDefault(delta.Name);
            state.State.Usage[delta.Name] = Math.Max(0, before + delta.Amount);
            applied.Add((delta.Name, state.State.Usage[delta.Name] - before));
        }
        state.State.AppliedTokens.Add(token);
        if (state.State.AppliedTokens.Count > FolderState.MaxAppliedTokens)
        {
            state.State.AppliedTokens.RemoveRange(0, state.State.AppliedTokens.Count - FolderState.MaxAppliedTokens);
        }
        try
        {
            await WriteCoalescedAsync();
        }
        catch
        {
            // Not stored: this change is taken back (others sharing the write take back their own),
            // so a retry with the same token applies it again instead of finding it applied.
            foreach (var (name, change) in applied)
            {
                state.State.Usage[name] = state.State.Usage.GetValueOrDefault(name) - change;
            }
            state.State.AppliedTokens.Remove(token);
            throw;
        }
    }

    /// <summary>Set while a deletion that found the folder empty finishes: quota taken meanwhile would outlive the folder.</summary>
    private bool _deleting;

    async Task<long> IFolderInternalGrain.ReserveImportAsync(string imageId, long bytes, bool upToLimit)
    {
        if (state.State.Folder is null)
        {
            throw StratumException.NotFound("folder", Id);
        }
        var held = state.State.ImportReservations.GetValueOrDefault(imageId);
        var room = state.State.Limit(QuotaNames.ImagesSize) - (state.State.Used(QuotaNames.ImagesSize) - held);
        if (bytes > room && !upToLimit)
        {
            throw new StratumException(ErrorCode.ResourceExhausted,
                $"Quota {QuotaNames.ImagesSize} of folder '{Id}' would be exceeded: limit {state.State.Limit(QuotaNames.ImagesSize)}, " +
                $"usage {state.State.Used(QuotaNames.ImagesSize) - held}, requested {bytes}. A platform admin can raise it with PATCH /compute/v1/folders/{Id}/quotas.");
        }
        var reserved = Math.Max(0, Math.Min(bytes, room));
        if (reserved != held)
        {
            state.State.ImportReservations[imageId] = reserved;
            await WriteCoalescedAsync();
        }
        return reserved;
    }

    async Task IFolderInternalGrain.SettleImportAsync(string imageId, long keep)
    {
        if (state.State.Folder is null || !state.State.ImportReservations.Remove(imageId))
        {
            return;
        }
        state.State.Usage[QuotaNames.ImagesSize] = state.State.Usage.GetValueOrDefault(QuotaNames.ImagesSize) + keep;
        await WriteCoalescedAsync();
    }

    Task<Folder> IFolderGrain.GetAsync(Caller caller)
    {
        Authorizer.Demand(Granted(caller), Permission.Read, "folder", Id, "read");
        return Task.FromResult(state.State.Folder!);
    }

    Task<Operation> IFolderGrain.DeleteAsync(Caller caller, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"folders.delete:{Id}", Id, Id, async (opId, _) =>
        {
            Authorizer.Demand(Granted(caller), Permission.Admin, "folder", Id, "delete");
            // Image quota taken while the shards were asked (it interleaves) counts too: the ledger as it is now.
            var held = (await UsageAsync()).Select(u => KeyValuePair.Create(u.Key, Math.Max(u.Value, state.State.Used(u.Key))))
                .Where(u => u.Value > 0 && u.Key.EndsWith(".count", StringComparison.Ordinal)).ToList();
            if (held.Count > 0)
            {
                throw StratumException.Precondition(
                    $"Folder '{Id}' is not empty: it holds {string.Join(", ", held.Select(h => $"{h.Value} ({h.Key})"))}. Delete them first.");
            }
            // From here no quota may be taken (ChangeUsage interleaves with this deletion).
            _deleting = true;
            var op = Operations(opId);
            var name = state.State.Folder!.Name;
            try
            {
                await op.StartAsync(new OperationStart($"Delete folder {Id}", caller, Id, Id, Meta()));
                await state.ClearStateAsync();
            }
            finally
            {
                // Cleared, the folder refuses quota by having no record; not cleared, it takes quota again.
                _deleting = false;
            }
            await index.DeleteFolderAsync(Id);
            await index.ReleaseNameAsync(RootFolder, NameKind, name, Id);
            return await op.CompleteAsync(EmptyResponse.Instance);
        });

    Task<IReadOnlyList<AccessBinding>> IFolderGrain.ListAccessBindingsAsync(Caller caller)
    {
        Authorizer.Demand(Granted(caller), Permission.Read, "folder", Id, "read");
        return Task.FromResult<IReadOnlyList<AccessBinding>>(state.State.Bindings.ToList());
    }

    Task<Operation> IFolderGrain.SetAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBinding> bindings, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "setAccessBindings", bindings, () =>
        {
            BindingRules.Validate(bindings, onImage: false);
            return bindings.Distinct().ToList();
        });

    Task<Operation> IFolderGrain.UpdateAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBindingDelta> deltas, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "updateAccessBindings", deltas,
            () => BindingRules.Apply(state.State.Bindings, deltas, onImage: false));

    async Task<IReadOnlyList<Quota>> IFolderGrain.GetQuotasAsync(Caller caller)
    {
        Authorizer.Demand(Granted(caller), Permission.Read, "folder", Id, "read");
        return await QuotasAsync();
    }

    async Task<IReadOnlyList<Quota>> IFolderGrain.SetQuotasAsync(Caller caller, IReadOnlyList<QuotaLimit> limits)
    {
        var granted = Granted(caller);
        Authorizer.Demand(granted, Permission.Read, "folder", Id, "read");
        if (!authorizer.IsPlatformAdmin(caller))
        {
            throw StratumException.Denied($"Only platform admins may change the quotas of folder '{Id}'.");
        }
        if (limits is null || limits.Count == 0)
        {
            throw StratumException.Invalid("quotas must name at least one quota.");
        }
        for (var i = 0; i < limits.Count; i++)
        {
            if (limits[i] is null || !QuotaNames.IsKnown(limits[i].Name))
            {
                throw StratumException.Invalid($"quotas[{i}].name '{limits[i]?.Name}' is not a known quota: use one of {string.Join(", ", QuotaNames.Defaults.Select(d => d.Key))}.");
            }
            if (limits[i].Limit < 0)
            {
                throw StratumException.Invalid($"quotas[{i}].limit {limits[i].Limit} must not be negative.");
            }
        }
        foreach (var limit in limits)
        {
            state.State.Limits[limit.Name] = limit.Limit;
        }
        await WriteCoalescedAsync();
        return await QuotasAsync();
    }

    private async Task<Operation> ChangeBindingsAsync(Caller caller, string? idempotencyKey, string action, object request, Func<List<AccessBinding>> change)
    {
        return await Idempotency.RunAsync(grains, caller, idempotencyKey, $"folders.{action}:{Id}", request, Id, async (opId, _) =>
        {
            Authorizer.Demand(Granted(caller), Permission.Admin, "folder", Id, "change access bindings of");
            var bindings = change();
            var op = Operations(opId);
            await op.StartAsync(new OperationStart($"Change access bindings of folder {Id}", caller, Id, Id, Meta()));
            state.State.Bindings = bindings;
            await WriteCoalescedAsync();
            // compute.images.user does not reach the folder itself, so it does not make the folder visible.
            await index.UpsertFolderAsync(state.State.Folder!, state.State.Bindings.Where(b => b.RoleId != Roles.ImagesUser).Select(b => b.Subject));
            await changes.PublishAsync(Changes.ChangeEvent.Of(Changes.ChangeKind.AccessChanged, Id));
            return await op.CompleteAsync(EmptyResponse.Instance);
        });
    }

    private async Task<List<Quota>> QuotasAsync()
    {
        var usage = await UsageAsync();
        return QuotaNames.Defaults.Select(d => new Quota(d.Key, state.State.Limit(d.Key), usage.GetValueOrDefault(d.Key))).ToList();
    }

    /// <summary>
    /// Usage of every quota: images from this folder's ledger; disks, snapshots and instances
    /// from what the deployment shards committed (their counters are the truth; allowances only bound them).
    /// </summary>
    private async Task<Dictionary<string, long>> UsageAsync()
    {
        var usage = QuotaNames.Defaults.ToDictionary(d => d.Key, d => state.State.Used(d.Key));
        var counters = await Task.WhenAll(Enumerable.Range(0, state.State.DeploymentShards).Select(k =>
            grains.GetGrain<Deployment.IDeploymentShardGrain>(Deployment.Placement.ShardKey(Id, k)).GetCountersAsync()));
        foreach (var (name, value) in counters.SelectMany(c => c.Quota))
        {
            usage[name] = usage.GetValueOrDefault(name) + value;
        }
        return usage;
    }

    private Permission Granted(Caller caller) => state.State.Folder is null
        ? Permission.None
        : AccessPolicy.OnFolder(caller, authorizer.IsPlatformAdmin(caller), state.State.Bindings);

    private IOperationInternalGrain Operations(string opId) => grains.GetGrain<IOperationInternalGrain>(opId);

    private Dictionary<string, string> Meta() => new() { ["folderId"] = Id };
}

using Orleans.Serialization;
using Stratum.Access;
using Stratum.Index;
using Stratum.Operations;
using Stratum.Storage;
using Stratum.Validation;

namespace Stratum.Folders;

/// <summary>
/// A folder: its record (access bindings, limits, its deployment shards' allowances) and its
/// quota ledger, two states written apart because they change at different rates. Every image
/// created in it takes quota here first, so usage never passes a limit. Its writers run one at a
/// time (only reads interleave), and it never waits on a grain that may be waiting on it: a shard
/// that needs allowance back from other shards asks them itself.
/// </summary>
public sealed partial class FolderGrain(
    [PersistentState("folder", StorageNames.Folders)] IPersistentState<FolderState> record,
    [PersistentState("ledger", StorageNames.Folders)] IPersistentState<FolderLedger> ledger,
    DeepCopier<FolderState> recordCopier,
    DeepCopier<FolderLedger> ledgerCopier,
    Authorizer authorizer,
    ResourceIndex index,
    Changes.ChangePublisher changes,
    IGrainFactory grains) : Grain, IFolderGrain, IFolderInternalGrain
{
    public const string NameKind = "folder";
    public const string RootFolder = "root";

    private readonly StoredState<FolderState> _record = new(record, recordCopier);
    private readonly StoredState<FolderLedger> _ledger = new(ledger, ledgerCopier);

    private string Id => this.GetPrimaryKeyString();

    private FolderState State => _record.Value;

    private FolderLedger Ledger => _ledger.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Usage kept in the record before the ledger existed moves there once.
        if (State.LegacyUsage is { } legacy)
        {
            if (!_ledger.Exists)
            {
                await _ledger.ChangeAsync(l =>
                {
                    l.Usage = new Dictionary<string, long>(legacy);
                    return true;
                });
            }
            await _record.ChangeAsync(s =>
            {
                s.LegacyUsage = null;
                return true;
            });
        }
    }

    async Task<Folder> IFolderInternalGrain.InitializeAsync(CreateFolderRequest request, string operationId)
    {
        await _record.ChangeAsync(s =>
        {
            if (s.Folder is not null)
            {
                return false;
            }
            s.Folder = new Folder(Id, DateTimeOffset.UtcNow, request.Name, request.Description ?? "", request.Labels ?? new Dictionary<string, string>());
            s.CreateOperationId = operationId;
            return true;
        });
        if (State.CreateOperationId != operationId)
        {
            throw new StratumException(ErrorCode.AlreadyExists, $"Folder '{Id}' already exists.");
        }
        await index.UpsertFolderAsync(State.Folder!, []);
        return State.Folder!;
    }

    Task<FolderAccess> IFolderInternalGrain.GetAccessAsync() =>
        Task.FromResult(State.Folder is null ? FolderAccess.Missing : new FolderAccess(true, State.Bindings.ToList()));

    Task<Folder> IFolderGrain.GetAsync(Caller caller)
    {
        Authorizer.Demand(Granted(caller), Permission.Read, "folder", Id, "read");
        return Task.FromResult(Shown(State.Folder!));
    }

    Task<Operation> IFolderGrain.DeleteAsync(Caller caller, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"folders.delete:{Id}", Id, Id, async (opId, _) =>
        {
            Authorizer.Demand(Granted(caller), Permission.Admin, "folder", Id, "delete");
            var op = Operations(opId);
            var name = State.Folder!.Name;
            // Image quota changes interleave to queue: none is taken from here on, and one being stored is waited for.
            _closing = true;
            try
            {
                await UsageChanges.IdleAsync();
                var held = (await UsageAsync()).Where(u => u.Value > 0 && u.Key.EndsWith(".count", StringComparison.Ordinal)).ToList();
                if (held.Count > 0)
                {
                    throw StratumException.Precondition(
                        $"Folder '{Id}' is not empty: it holds {string.Join(", ", held.Select(h => $"{h.Value} ({h.Key})"))}. Delete them first.");
                }
                await op.StartAsync(new OperationStart($"Delete folder {Id}", caller, Id, Id, Meta()));
                await _record.ClearAsync();
                await _ledger.ClearAsync();
            }
            finally
            {
                // Cleared, the folder refuses quota by having no record; not cleared, it takes quota again.
                _closing = false;
            }
            await index.DeleteFolderAsync(Id);
            await index.ReleaseNameAsync(RootFolder, NameKind, name, Id);
            return await op.CompleteAsync(EmptyResponse.Instance);
        });

    Task<IReadOnlyList<AccessBinding>> IFolderGrain.ListAccessBindingsAsync(Caller caller)
    {
        Authorizer.Demand(Granted(caller), Permission.Read, "folder", Id, "read");
        return Task.FromResult<IReadOnlyList<AccessBinding>>(State.Bindings.ToList());
    }

    Task<Operation> IFolderGrain.SetAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBinding> bindings, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "setAccessBindings", bindings, () =>
        {
            BindingRules.Validate(bindings, onImage: false);
            return bindings.Distinct().ToList();
        });

    Task<Operation> IFolderGrain.UpdateAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBindingDelta> deltas, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "updateAccessBindings", deltas,
            () => BindingRules.Apply(State.Bindings, deltas, onImage: false));

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
            if (limits[i] is null)
            {
                throw StratumException.Invalid($"quotas[{i}] must be an object: {{name, limit}}.");
            }
            if (string.IsNullOrEmpty(limits[i].Name))
            {
                throw StratumException.Invalid($"quotas[{i}].name is required.");
            }
            if (!QuotaNames.IsKnown(limits[i].Name))
            {
                throw StratumException.Invalid($"quotas[{i}].name '{limits[i].Name}' is not a known quota: use one of {string.Join(", ", QuotaNames.Defaults.Select(d => d.Key))}.");
            }
            if (limits[i].Limit < 0)
            {
                throw StratumException.Invalid($"quotas[{i}].limit {limits[i].Limit} must not be negative.");
            }
            if (limits.Take(i).Any(l => l.Name == limits[i].Name))
            {
                throw StratumException.Invalid($"quotas[{i}].name '{limits[i].Name}' is named more than once; give each quota once.");
            }
        }
        await _record.ChangeAsync(s =>
        {
            foreach (var limit in limits)
            {
                s.Limits[limit.Name] = limit.Limit;
            }
            return true;
        });
        TrimAllowancesAboveLimits();
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
            await _record.ChangeAsync(s =>
            {
                s.Bindings = bindings;
                return true;
            });
            // compute.images.user does not reach the folder itself, so it does not make the folder visible.
            await index.UpsertFolderAsync(State.Folder!, State.Bindings.Where(b => b.RoleId != Roles.ImagesUser).Select(b => b.Subject));
            await changes.PublishAsync(Changes.ChangeEvent.Of(Changes.ChangeKind.AccessChanged, Id));
            return await op.CompleteAsync(EmptyResponse.Instance);
        });
    }

    private async Task<List<Quota>> QuotasAsync()
    {
        var usage = await UsageAsync();
        return QuotaNames.Defaults.Select(d => new Quota(d.Key, State.Limit(d.Key), usage.GetValueOrDefault(d.Key))).ToList();
    }

    /// <summary>
    /// Usage of every quota: images from this folder's ledger; disks, snapshots and instances
    /// from what the deployment shards committed (their counters are the truth; allowances only
    /// bound them). Shards are reentrant, so asking one never waits on its call to this folder.
    /// </summary>
    private async Task<Dictionary<string, long>> UsageAsync()
    {
        var usage = QuotaNames.Defaults.ToDictionary(d => d.Key, d => Ledger.Used(d.Key));
        var counters = await Task.WhenAll(Enumerable.Range(0, State.DeploymentShards).Select(k =>
            grains.GetGrain<Deployment.IDeploymentShardGrain>(Deployment.Placement.ShardKey(Id, k)).GetCountersAsync()));
        foreach (var (name, value) in counters.SelectMany(c => c.Quota))
        {
            usage[name] = usage.GetValueOrDefault(name) + value;
        }
        return usage;
    }

    private Permission Granted(Caller caller) => State.Folder is null
        ? Permission.None
        : AccessPolicy.OnFolder(caller, authorizer.IsPlatformAdmin(caller), State.Bindings);

    private void RequireFolder()
    {
        if (State.Folder is null)
        {
            throw StratumException.NotFound("folder", Id);
        }
    }

    private IOperationInternalGrain Operations(string opId) => grains.GetGrain<IOperationInternalGrain>(opId);

    private Dictionary<string, string> Meta() => new() { ["folderId"] = Id };
}

using Stratum.Access;
using Stratum.Images;

namespace Stratum.Operations;

/// <summary>One operation's record. Written once when started and once when done.</summary>
public sealed class OperationGrain(
    [PersistentState("operation", StorageNames.Operations)] IPersistentState<OperationState> record,
    Orleans.Serialization.DeepCopier<OperationState> copier,
    Authorizer authorizer,
    Deployment.ComputeRows computeRows,
    IGrainFactory grains) : Grain, IOperationGrain, IOperationInternalGrain
{
    private readonly Storage.StoredState<OperationState> _state = new(record, copier);

    /// <summary>
    /// A disk, snapshot or instance operation read from its resource's row, or an image create's
    /// held in the image's record; such operations have no record of their own.
    /// </summary>
    private OperationState? _fromRows;

    private string Id => this.GetPrimaryKeyString();

    private OperationState Current => _fromRows ?? _state.Value;

    /// <summary>
    /// Disk, snapshot and instance operations are rows their shard wrote with the resource (or the
    /// resource's row itself); an operation without a record of its own is looked up there.
    /// </summary>
    private async Task LoadFromComputeRowsAsync()
    {
        if (Current.Operation is null && ResourceIds.IsValid(Id, ResourceIds.Operation) && await computeRows.FindOperationAsync(Id) is { } found)
        {
            _fromRows = new OperationState
            {
                Operation = found.Operation,
                FolderId = found.FolderId,
                // The resource is the first entry after the folder (a snapshot's source disk and the type come later).
                ResourceId = found.Operation.Metadata.FirstOrDefault(m => m.Key != "folderId" && !m.Key.StartsWith('@')).Value ?? "",
                CreatedBy = ParseSubject(found.Operation.CreatedBy),
            };
        }
    }

    private static Subject? ParseSubject(string text)
    {
        var colon = text.IndexOf(':');
        return text[..Math.Max(colon, 0)] switch
        {
            "userAccount" => new Subject(text[(colon + 1)..], SubjectType.UserAccount),
            "serviceAccount" => new Subject(text[(colon + 1)..], SubjectType.ServiceAccount),
            "system" => new Subject(text[(colon + 1)..], SubjectType.System),
            _ => null,
        };
    }

    async Task<Operation> IOperationGrain.GetAsync(Caller caller)
    {
        await DemandReadAsync(caller);
        return Current.Operation!;
    }

    async Task<Operation> IOperationGrain.CancelAsync(Caller caller)
    {
        await DemandReadAsync(caller);
        if (!Current.Operation!.Done && Current.ResourceId.StartsWith(ResourceIds.Image, StringComparison.Ordinal))
        {
            // Best effort: only an image's data transfer can be stopped; it finishes this operation itself.
            await grains.GetGrain<IImageInternalGrain>(Current.ResourceId).CancelCreationAsync(Id);
            await _state.ReloadAsync();
        }
        return Current.Operation!;
    }

    Task<Operation> IOperationInternalGrain.StartAsync(OperationStart start) => StartAsync(start, done: null);

    /// <summary>An operation started before is finished instead (idempotent once done).</summary>
    Task<Operation> IOperationInternalGrain.StartDoneAsync(OperationStart start, object response) => StartAsync(start, done: response);

    private async Task<Operation> StartAsync(OperationStart start, object? done)
    {
        var now = DateTimeOffset.UtcNow;
        await _state.ChangeAsync(s =>
        {
            if (s.Operation is { } started)
            {
                if (done is null || started.Done)
                {
                    return false;
                }
                s.Operation = started with { Done = true, Response = done, ModifiedAt = now };
                return true;
            }
            s.Operation = start.Begin(Id, done);
            s.FolderId = start.FolderId;
            s.ResourceId = start.ResourceId;
            s.CreatedBy = start.CreatedBy.Subject;
            return true;
        });
        return _state.Value.Operation!;
    }

    Task<Operation> IOperationInternalGrain.CompleteAsync(object response) =>
        FinishAsync(op => op with { Response = response });

    Task<Operation> IOperationInternalGrain.FailAsync(ErrorInfo error) =>
        FinishAsync(op => op with { Error = error });

    async Task<Operation?> IOperationInternalGrain.TryGetAsync()
    {
        await LoadHeldByImageAsync();
        return Current.Operation;
    }

    /// <summary>
    /// An image's create that was READY when accepted holds its operation in the image's record
    /// (see <see cref="ImageCreateOperations"/>): an operation without a record of its own is asked for there.
    /// </summary>
    private async Task LoadHeldByImageAsync()
    {
        if (Current.Operation is null && ImageCreateOperations.ImageOf(Id) is { } imageId
            && await grains.GetGrain<IImageInternalGrain>(imageId).GetHeldOperationAsync(Id) is { } held)
        {
            _fromRows = held;
        }
    }

    async Task IOperationInternalGrain.KeepAsync(OperationState held)
    {
        await _state.ChangeAsync(s =>
        {
            if (s.Operation is not null)
            {
                return false;
            }
            (s.Operation, s.FolderId, s.ResourceId, s.CreatedBy) = (held.Operation, held.FolderId, held.ResourceId, held.CreatedBy);
            return true;
        });
        _fromRows = null;
    }

    private async Task<Operation> FinishAsync(Func<Operation, Operation> finish)
    {
        await _state.ChangeAsync(s =>
        {
            var op = s.Operation ?? throw new InvalidOperationException($"Operation {Id} was never started.");
            if (op.Done)
            {
                return false;
            }
            s.Operation = finish(op) with { Done = true, ModifiedAt = DateTimeOffset.UtcNow };
            return true;
        });
        return _state.Value.Operation!;
    }

    private async Task DemandReadAsync(Caller caller)
    {
        await LoadFromComputeRowsAsync();
        await LoadHeldByImageAsync();
        if (Current.Operation is null)
        {
            throw StratumException.NotFound("operation", Id);
        }
        if (Current.CreatedBy == caller.Subject || authorizer.IsPlatformAdmin(caller))
        {
            return;
        }
        // Whoever may see what was done to its resource: through the folder, or, for an image, through
        // the image's own bindings too (as its operations list decides).
        var granted = Current.FolderId is { } folderId ? await authorizer.OnFolderAsync(caller, folderId) : Permission.None;
        if (!granted.HasFlag(Permission.Audit) && ResourceIds.IsValid(Current.ResourceId, ResourceIds.Image))
        {
            granted |= await grains.GetGrain<IImageInternalGrain>(Current.ResourceId).GrantedAsync(caller);
        }
        if (!granted.HasFlag(Permission.Audit))
        {
            throw StratumException.NotFound("operation", Id);
        }
    }
}

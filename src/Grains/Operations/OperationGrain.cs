using Stratum.Access;
using Stratum.Images;

namespace Stratum.Operations;

/// <summary>One operation's record. Written once when started and once when done.</summary>
public sealed class OperationGrain(
    [PersistentState("operation", StorageNames.Operations)] IPersistentState<OperationState> state,
    Authorizer authorizer,
    Deployment.ComputeRows computeRows,
    IGrainFactory grains) : Grain, IOperationGrain, IOperationInternalGrain
{
    private string Id => this.GetPrimaryKeyString();

    /// <summary>
    /// Disk, snapshot and instance operations are rows their shard wrote with the resource (or the
    /// resource's row itself); an operation without a record of its own is looked up there.
    /// </summary>
    private async Task LoadFromComputeRowsAsync()
    {
        if (state.State.Operation is null && ResourceIds.IsValid(Id, ResourceIds.Operation) && await computeRows.FindOperationAsync(Id) is { } found)
        {
            state.State.Operation = found.Operation;
            state.State.FolderId = found.FolderId;
            // The resource is the first entry after the folder (a snapshot's source disk and the type come later).
            state.State.ResourceId = found.Operation.Metadata.FirstOrDefault(m => m.Key != "folderId" && !m.Key.StartsWith('@')).Value ?? "";
            state.State.CreatedBy = ParseSubject(found.Operation.CreatedBy);
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
        return state.State.Operation!;
    }

    async Task<Operation> IOperationGrain.CancelAsync(Caller caller)
    {
        await DemandReadAsync(caller);
        if (!state.State.Operation!.Done && state.State.ResourceId.StartsWith(ResourceIds.Image, StringComparison.Ordinal))
        {
            // Best effort: only an image's data transfer can be stopped; it finishes this operation itself.
            await grains.GetGrain<IImageInternalGrain>(state.State.ResourceId).CancelCreationAsync(Id);
            await state.ReadStateAsync();
        }
        return state.State.Operation!;
    }

    async Task<Operation> IOperationInternalGrain.StartAsync(OperationStart start)
    {
        if (state.State.Operation is { } existing)
        {
            return existing;
        }
        var now = DateTimeOffset.UtcNow;
        state.State.Operation = new Operation(Id, start.Description, now, start.CreatedBy.Subject.ToString(), now, false, start.Metadata);
        state.State.FolderId = start.FolderId;
        state.State.ResourceId = start.ResourceId;
        state.State.CreatedBy = start.CreatedBy.Subject;
        await state.WriteStateAsync();
        return state.State.Operation;
    }

    Task<Operation> IOperationInternalGrain.CompleteAsync(object response) =>
        FinishAsync(op => op with { Response = response });

    Task<Operation> IOperationInternalGrain.FailAsync(ErrorInfo error) =>
        FinishAsync(op => op with { Error = error });

    Task<Operation?> IOperationInternalGrain.TryGetAsync() => Task.FromResult(state.State.Operation);

    private async Task<Operation> FinishAsync(Func<Operation, Operation> finish)
    {
        var op = state.State.Operation ?? throw new InvalidOperationException($"Operation {Id} was never started.");
        if (op.Done)
        {
            return op;
        }
        state.State.Operation = finish(op) with { Done = true, ModifiedAt = DateTimeOffset.UtcNow };
        await state.WriteStateAsync();
        return state.State.Operation;
    }

    private async Task DemandReadAsync(Caller caller)
    {
        await LoadFromComputeRowsAsync();
        if (state.State.Operation is null)
        {
            throw StratumException.NotFound("operation", Id);
        }
        if (state.State.CreatedBy == caller.Subject || authorizer.IsPlatformAdmin(caller))
        {
            return;
        }
        var granted = state.State.FolderId is { } folderId ? await authorizer.OnFolderAsync(caller, folderId) : Permission.None;
        if (!granted.HasFlag(Permission.Read))
        {
            throw StratumException.NotFound("operation", Id);
        }
    }
}

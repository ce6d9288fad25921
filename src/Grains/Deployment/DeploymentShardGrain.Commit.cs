using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Stratum.Layers;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>A command turned into rows, counter changes and the outcome it will have once committed.</summary>
    private sealed record Prepared(Pending Item, List<TableTransactionAction> Actions, Delta Delta, CommandOutcome Outcome, IReadOnlyList<string> FreedBlobs);

    /// <summary>Pins the layers and prepares the rows of a batch of creates, and reserves their names.</summary>
    private async Task<List<Prepared>> PrepareAndNameAsync(List<Pending> batch)
    {
        var prepared = new List<Prepared>();
        foreach (var item in batch)
        {
            if (await PinAsync(item.Command.Disk?.LayerId) is { } refused)
            {
                item.Done.TrySetResult(refused);
                continue;
            }
            prepared.Add(PrepareCreate(item));
        }
        return await ReserveNamesAsync(prepared);
    }

    /// <summary>Admits a named batch within the allowance and commits it as one transaction.</summary>
    private async Task CommitNamedAsync(List<Prepared> named)
    {
        // Names were reserved before quota was known: a refused create gives its name back, and is
        // answered after that, as CommitOneAsync answers: a request sent after a refusal finds the name free.
        var pairs = named.Select(p => (Original: p, Held: p with { Item = p.Item with { Done = new(TaskCreationOptions.RunContinuationsAsynchronously) } })).ToList();
        var admittedHeld = (await AdmitAsync(pairs.ConvertAll(p => p.Held))).ToHashSet();
        var admitted = pairs.Where(p => admittedHeld.Contains(p.Held)).Select(p => p.Original).ToList();
        var refused = pairs.Where(p => !admittedHeld.Contains(p.Held)).Select(p => (Original: p.Original.Item, Held: p.Held.Item)).ToList();
        await GiveBackNamesAsync(refused.Select(r => r.Held), neverCommitted: true);
        foreach (var (original, answer) in refused)
        {
            // AdmitAsync answers every command it does not admit; never wait here on one it did not (the loop would stop).
            original.Done.TrySetResult(answer.Done.Task.IsCompletedSuccessfully ? answer.Done.Task.Result : NotStored);
        }
        if (admitted.Count == 0)
        {
            ClearInflight();
            return;
        }
        try
        {
            await CommitAsync(admitted);
        }
        catch (TableTransactionFailedException e)
        {
            // A row refused the whole batch (an idempotency key used again, say): commit each on
            // its own, so only the refused command sees the refusal, with its reason.
            logger.LogDebug(e, "A batch of {Count} was refused; committing one by one", admitted.Count);
            _counters = await Counters.LoadAsync(rows, _home, _folderId, _shard);
            ClearInflight();
            foreach (var item in admitted)
            {
                await CommitOneAsync(item.Item);
            }
        }
    }

    /// <summary>
    /// Commits one command on its own. Its answer is held until a name reserved for it and not
    /// used is given back, so a request sent after the answer finds the name free.
    /// </summary>
    private async Task CommitOneAsync(Pending item)
    {
        var held = item with { Done = new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously) };
        var committed = await TryCommitOneAsync(held);
        if (!committed)
        {
            await GiveBackNamesAsync([held]);
        }
        if (held.Done.Task.IsCompleted)
        {
            item.Done.TrySetResult(await held.Done.Task);
        }
    }

    /// <summary>True when the command's rows were committed; otherwise its outcome says why not.</summary>
    private async Task<bool> TryCommitOneAsync(Pending item)
    {
        try
        {
            var command = item.Command;
            if (await PinAsync(command.Disk?.LayerId ?? command.Snapshot?.LayerId) is { } refused)
            {
                item.Done.TrySetResult(refused);
                return false;
            }
            var prepared = command.IsBatchable ? PrepareCreate(item) : await PrepareAsync(item);
            if (prepared is null)
            {
                return false;
            }
            var committed = false;
            if ((await ReserveNamesAsync(await AdmitAsync([prepared]))).Count == 1)
            {
                await CommitAsync([prepared]);
                committed = true;
            }
            ClearInflight();
            return committed;
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            ClearInflight();
            _counters = await Counters.LoadAsync(rows, _home, _folderId, _shard);
            item.Done.TrySetResult(await ExplainConflictAsync(item.Command) ?? ResourceChanged);
            return false;
        }
        catch (StratumException e)
        {
            ClearInflight();
            item.Done.TrySetResult(CommandOutcome.Failed(e));
            return false;
        }
    }

    /// <summary>After a failed flush, whose storage may still be failing: a name not given back now is when abandoned.</summary>
    private async Task TryGiveBackNamesAsync(IEnumerable<Pending> items)
    {
        try
        {
            await GiveBackNamesAsync(items);
        }
        catch (Exception e) when (e is RequestFailedException or StratumException)
        {
            logger.LogWarning(e, "Names of a failed flush were not given back");
        }
    }

    /// <summary>
    /// Gives back the names reserved for commands that made nothing: refused, answered as a retry
    /// of a request done before, or failed. A name whose owner does not exist stayed taken until
    /// abandoned (<see cref="Index.ResourceIndex.AbandonedAfter"/>, 5 min): a keyed create retried
    /// after its resource was deleted blocked the name that long. A name held by another owner (or
    /// by this command's first attempt, whose resource exists) is not touched. A retry answered with
    /// its first attempt's operation hands the name to that attempt's resource, if it still exists: it
    /// may have taken the name over from it (<see cref="Index.ResourceIndex.ReserveNameAsync"/>) while
    /// that attempt was still committing, and the same request names the same resource.
    /// </summary>
    private async Task GiveBackNamesAsync(IEnumerable<Pending> items, bool neverCommitted = false) =>
        // At once, not one after another: each is a read or two and a delete, and a batch refused for quota
        // gave back its ~10 names in turn (380 ms a batch: 64 refusals at once against a full folder ran at ~150/s).
        await Task.WhenAll(items.Select(item => GiveBackNameAsync(item, neverCommitted)));

    /// <param name="item">A command that made nothing; its name, if it has one, is given back.</param>
    /// <param name="neverCommitted">
    /// The command was refused before its rows were sent (quota), so its resource cannot exist: the read
    /// that asks is skipped. A command whose commit failed may still have committed, and is asked.
    /// </param>
    private async Task GiveBackNameAsync(Pending item, bool neverCommitted)
    {
        if (item.Command.NewName is not { } name || (!neverCommitted && await OwnerExistsAsync(name.OwnerId)))
        {
            return;
        }
        if (FirstAttemptOf(item, name.Kind) is { } first && first != name.OwnerId && await OwnerExistsAsync(first))
        {
            await index.HandNameAsync(_folderId, name.Kind, name.Name, name.OwnerId, first);
        }
        else
        {
            await index.ReleaseNameAsync(_folderId, name.Kind, name.Name, name.OwnerId);
        }
    }

    /// <summary>The resource a retry's first attempt made, when the retry was answered with that attempt's operation.</summary>
    private static string? FirstAttemptOf(Pending item, string kind) =>
        item.Done.Task.IsCompletedSuccessfully && item.Done.Task.Result is { Replayed: true, Operation: { } first }
            && first.Metadata.TryGetValue(kind + "Id", out var id) ? id : null;

    /// <summary>Writes the rows and the counters in one transaction, then completes the commands.</summary>
    private async Task CommitAsync(IReadOnlyList<Prepared> admitted)
    {
        var next = _counters.Copy();
        var actions = new List<TableTransactionAction>();
        foreach (var prepared in admitted)
        {
            next.Apply(prepared.Delta);
            actions.AddRange(prepared.Actions);
        }
        actions.Add(next.Action());
        await rows.ReadyAsync();
        var started = Diagnostics.StageTimings.Now();
        var response = await rows.Table.SubmitTransactionAsync(actions);
        Timings.Since(Diagnostics.StageTimings.ShardCommit, started);
        Timings.Record(Diagnostics.StageTimings.ShardBatch, admitted.Count);
        next.Committed(response.Value[^1].Headers.ETag!.Value);
        ClearInflight();
        var droppedLayers = _counters.Layers.Where(l => l.Value > 0 && next.Layers.GetValueOrDefault(l.Key) == 0).Select(l => l.Key).ToList();
        _counters = next;
        foreach (var prepared in admitted)
        {
            prepared.Item.Done.TrySetResult(prepared.Outcome);
        }
        foreach (var blob in admitted.SelectMany(p => p.FreedBlobs))
        {
            _ = DeleteBlobAsync(blob);
        }
        foreach (var layer in droppedLayers)
        {
            // Not awaited: the layer drains this shard, which waits for this very flush to end.
            _ = grains.GetGrain<ILayerGrain>(layer).CheckFreeAsync();
        }
    }

    private async Task<CommandOutcome?> PinAsync(string? layerId)
    {
        if (layerId is null || _pinned.Contains(layerId))
        {
            return null;
        }
        try
        {
            var started = Diagnostics.StageTimings.Now();
            await grains.GetGrain<ILayerGrain>(layerId).PinAsync(this.GetPrimaryKeyString());
            _pinned.Add(layerId);
            Timings.Since(Diagnostics.StageTimings.ShardPin, started);
            return null;
        }
        catch (StratumException e)
        {
            return CommandOutcome.Failed(e);
        }
    }

    /// <summary>
    /// Why a command's rows were refused. A keyed command meets its key's claim (written by the
    /// first request with the key, in this shard's partition): the same request is answered with
    /// the first operation, a different one is 409. A command run again under the operation id of
    /// its first attempt (a bulk create's, or one whose key was claimed on another shard) meets its
    /// own earlier resource row. Null when the conflict is neither.
    /// </summary>
    private async Task<CommandOutcome?> ExplainConflictAsync(ShardCommand command)
    {
        if (await ClaimedAsync(command) is { } claimed)
        {
            return claimed;
        }
        var id = command.Instance?.Id ?? command.Snapshot?.Id ?? command.Disk?.Id;
        var existing = command.Kind is CommandKind.CreateDisk or CommandKind.CreateInstance or CommandKind.CreateSnapshot && id is not null
            ? await rows.GetAsync(id)
            : null;
        if (existing is not null && existing.GetString("OperationId") == command.OperationId)
        {
            return command.WithoutOperationRow
                ? new CommandOutcome(null, null, command.Instance ?? (object?)command.Disk ?? command.Snapshot, Replayed: true)
                : new CommandOutcome(ComputeRows.OperationFromResourceRow(existing), null, Replayed: true);
        }
        return null;
    }

    /// <summary>What a keyed command's claim, if its key was claimed before, says: its first operation, or 409 for another request.</summary>
    private async Task<CommandOutcome?> ClaimedAsync(ShardCommand command)
    {
        if (command.ClaimHash is not { } claimHash || await rows.GetAsync(Placement.PartitionKey(_home), ShardRows.ClaimPrefix + claimHash) is not { } claim)
        {
            return null;
        }
        if (claim.GetString("Fingerprint") != command.Fingerprint)
        {
            return CommandOutcome.Failed(ErrorCode.Aborted, Operations.Idempotency.ReusedKey);
        }
        return await rows.ClaimedOperationAsync(claim) is { } first
            ? new CommandOutcome(first, null, Replayed: true)
            : CommandOutcome.Failed(ErrorCode.Unavailable, "The first request with this Idempotency-Key is still being stored; retry.");
    }

    private static readonly CommandOutcome ResourceChanged = CommandOutcome.Failed(ErrorCode.Aborted, "The resource changed while this request was applied; retry.");

    private async Task DeleteBlobAsync(string blob)
    {
        try
        {
            await data.DeleteAsync(blob);
        }
        catch (RequestFailedException e)
        {
            logger.LogWarning(e, "Blob {Blob} was not deleted", blob);
        }
    }
}

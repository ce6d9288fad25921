using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Stratum.Layers;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>A command turned into rows, counter changes and the outcome it will have once committed.</summary>
    private sealed record Prepared(Pending Item, List<TableTransactionAction> Actions, Delta Delta, CommandOutcome Outcome, IReadOnlyList<string> FreedBlobs);

    private async Task CommitBatchAsync(List<Pending> batch)
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
        var admitted = await AdmitAsync(prepared);
        if (admitted.Count == 0)
        {
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
            foreach (var item in admitted)
            {
                await CommitOneAsync(item.Item);
            }
        }
    }

    private async Task CommitOneAsync(Pending item)
    {
        try
        {
            var command = item.Command;
            if (await PinAsync(command.Disk?.LayerId ?? command.Snapshot?.LayerId) is { } refused)
            {
                item.Done.TrySetResult(refused);
                return;
            }
            var prepared = command.IsBatchable ? PrepareCreate(item) : await PrepareAsync(item);
            if (prepared is null)
            {
                return;
            }
            if ((await AdmitAsync([prepared])).Count == 1)
            {
                await CommitAsync([prepared]);
            }
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            _counters = await Counters.LoadAsync(rows, _home, _folderId, _shard);
            item.Done.TrySetResult(await ExplainConflictAsync(item.Command));
        }
        catch (StratumException e)
        {
            item.Done.TrySetResult(CommandOutcome.Failed(e));
        }
    }

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
        var response = await rows.Table.SubmitTransactionAsync(actions);
        next.Committed(response.Value[^1].Headers.ETag!.Value);
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

    /// <summary>Takes commands in order while the shard's quota allowance covers them, raising it from the folder as needed.</summary>
    private async Task<List<Prepared>> AdmitAsync(List<Prepared> prepared)
    {
        var total = new Delta();
        foreach (var p in prepared)
        {
            total.Plus(p.Delta);
        }
        var need = total.Quota.Where(q => q.Value > 0).ToDictionary(q => q.Key, q => _counters.Quota.GetValueOrDefault(q.Key) + q.Value);
        if (need.Any(n => n.Value > _allowance.GetValueOrDefault(n.Key)))
        {
            var want = need.ToDictionary(n => n.Key, n => n.Value + (n.Key.EndsWith(".count", StringComparison.Ordinal) ? _queue.Count : 0));
            _allowance = await Folder.RaiseAllowanceAsync(_shard, need, want);
        }
        var admitted = new List<Prepared>();
        var used = _counters.QuotaSnapshot();
        foreach (var p in prepared)
        {
            var over = p.Delta.Quota.FirstOrDefault(q => q.Value > 0 && used.GetValueOrDefault(q.Key) + q.Value > _allowance.GetValueOrDefault(q.Key));
            if (over.Key is not null)
            {
                var limit = await Folder.GetLimitAsync(over.Key);
                p.Item.Done.TrySetResult(CommandOutcome.Failed(ErrorCode.ResourceExhausted,
                    $"Quota {over.Key} of folder '{_folderId}' would be exceeded: limit {limit}, requested {over.Value}. " +
                    $"A platform admin can raise it with PATCH /compute/v1/folders/{_folderId}/quotas."));
                continue;
            }
            foreach (var (name, amount) in p.Delta.Quota)
            {
                used[name] = used.GetValueOrDefault(name) + amount;
            }
            admitted.Add(p);
        }
        return admitted;
    }

    private async Task<CommandOutcome?> PinAsync(string? layerId)
    {
        if (layerId is null || _pinned.Contains(layerId))
        {
            return null;
        }
        try
        {
            await grains.GetGrain<ILayerGrain>(layerId).PinAsync(this.GetPrimaryKeyString());
            _pinned.Add(layerId);
            return null;
        }
        catch (StratumException e)
        {
            return CommandOutcome.Failed(e);
        }
    }

    /// <summary>Why a command's rows were refused: its idempotency key was used before, or it already happened.</summary>
    private async Task<CommandOutcome> ExplainConflictAsync(ShardCommand command)
    {
        if (command.ClaimHash is { } claimHash && await rows.GetAsync(Placement.PartitionKey(_home), $"idem|{claimHash}") is { } claim)
        {
            if (claim.GetString("Fingerprint") != command.Fingerprint)
            {
                return CommandOutcome.Failed(ErrorCode.Aborted, "This Idempotency-Key was already used with a different request; use a new key for a new request.");
            }
            var first = await rows.GetAsync(claim.GetString("OperationId"));
            return first is null
                ? CommandOutcome.Failed(ErrorCode.Unavailable, "The first request with this Idempotency-Key is still being stored; retry.")
                : new CommandOutcome(ComputeRows.ReadOperation(first), null);
        }
        var id = command.Instance?.Id ?? command.Disk?.Id ?? command.Snapshot?.Id;
        if (id is not null && await rows.GetAsync(id) is { } existing && existing.GetString("OperationId") == command.OperationId)
        {
            // The same command committed before (a retried bulk create): it is done, not a conflict.
            return new CommandOutcome(null, null, command.Instance ?? (object?)command.Disk ?? command.Snapshot);
        }
        return CommandOutcome.Failed(ErrorCode.Aborted, "The resource changed while this request was applied; retry.");
    }

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

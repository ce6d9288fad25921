using Microsoft.Extensions.Logging;
using Stratum.Folders;

namespace Stratum.Deployment;

/// <summary>
/// Commits a folder shard's disks, snapshots and instances. Callers queue commands; one flush at
/// a time writes everything queued as one table transaction in the shard's home partition: the
/// rows, their operations and idempotency claims, and the shard's counters (quota usage and layer
/// references). A resource and the counts that include it are thus written together or not at
/// all, so counts are exact whatever fails. Reentrant: callers only enqueue and await; the flush
/// loop is the one writer, and the invariant across its awaits is that only it touches the counters.
/// </summary>
[Reentrant]
public sealed partial class DeploymentShardGrain(ComputeRows rows, Images.ImageData data, Index.ResourceIndex index, IGrainFactory grains, ILogger<DeploymentShardGrain> logger)
    : Grain, IDeploymentShardGrain
{
    /// <summary>Azure Table transactions hold at most 100 actions.</summary>
    private const int MaxActions = 100;

    private readonly Queue<Pending> _queue = new();
    private readonly HashSet<string> _pinned = [];
    private Task _flushing = Task.CompletedTask;
    private Counters _counters = null!;
    private Dictionary<string, long> _allowance = [];
    private string _folderId = "";
    private int _shard;
    private int _home;

    private sealed record Pending(ShardCommand Command, TaskCompletionSource<CommandOutcome> Done)
    {
        public long Enqueued { get; } = Diagnostics.StageTimings.Now();
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_folderId, _shard) = Placement.ParseShardKey(this.GetPrimaryKeyString());
        _home = Placement.Home(_folderId, _shard);
        var started = Diagnostics.StageTimings.Now();
        _counters = await Counters.LoadAsync(rows, _home, _folderId, _shard);
        Timings.Since(Diagnostics.StageTimings.ShardActivate, started);
        // The allowance is settled with the folder at the first admission, not here: the folder
        // may be the one activating this shard (asking its counters), and must not wait on itself.
        _allowanceSynced = false;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_counters is not null)
        {
            // Best effort and without waiting (the folder may be waiting on this shard): what is not
            // handed back now is at the next activation, or when another shard asks for a trim.
            Folder.LowerAllowanceAsync(_shard, _counters.QuotaSnapshot()).Ignore();
        }
        return Task.CompletedTask;
    }

    async Task<IReadOnlyList<CommandOutcome>> IDeploymentShardGrain.SubmitAsync(IReadOnlyList<ShardCommand> commands)
    {
        var pending = commands.Select(c => new Pending(c, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously))).ToList();
        foreach (var item in pending)
        {
            _queue.Enqueue(item);
        }
        if (_flushing.IsCompleted)
        {
            _flushing = FlushLoopAsync();
        }
        return await Task.WhenAll(pending.Select(p => p.Done.Task));
    }

    Task<ShardCounters> IDeploymentShardGrain.GetCountersAsync() =>
        Task.FromResult(new ShardCounters(_counters.QuotaSnapshot(), new Dictionary<string, long>(_counters.Layers)));

    async Task<long> IDeploymentShardGrain.DrainLayerAsync(string layerId)
    {
        _pinned.Remove(layerId);
        await _flushing;
        return _counters.Layers.GetValueOrDefault(layerId);
    }

    private async Task FlushLoopAsync()
    {
        // The names of the next batch are reserved while this batch commits: the two transactions
        // overlap instead of taking turns, and commits stay in queue order, one at a time.
        (List<Pending> Batch, Task<List<Prepared>>? Named, long Taken)? ahead = null;
        while (ahead is not null || _queue.Count > 0)
        {
            var (batch, named, taken) = ahead ?? Start(TakeBatch());
            ahead = null;
            try
            {
                if (named is null)
                {
                    await CommitOneAsync(batch[0]);
                }
                else
                {
                    var ready = await named;
                    if (_queue.Count > 0 && _queue.Peek().Command.IsBatchable)
                    {
                        ahead = Start(TakeBatch());
                    }
                    await CommitNamedAsync(ready);
                }
            }
            catch (Exception e)
            {
                logger.LogError(e, "Shard {Shard} failed a flush", this.GetPrimaryKeyString());
                await TryGiveBackNamesAsync(batch.Where(item => !item.Done.Task.IsCompleted));
                foreach (var item in batch)
                {
                    item.Done.TrySetResult(NotStored);
                }
                ClearInflight();
                _counters = await Counters.LoadAsync(rows, _home, _folderId, _shard);
            }
            Timings.Since(Diagnostics.StageTimings.ShardFlush, taken);
        }
    }

    /// <summary>Takes a batch into work: a lone command that reads rows runs on its own; creates are prepared and their names reserved now.</summary>
    private (List<Pending> Batch, Task<List<Prepared>>? Named, long Taken) Start(List<Pending> batch)
    {
        var taken = Diagnostics.StageTimings.Now();
        foreach (var item in batch)
        {
            Timings.Since(Diagnostics.StageTimings.ShardQueue, item.Enqueued);
        }
        return batch.Count == 1 && !batch[0].Command.IsBatchable ? (batch, null, taken) : (batch, PrepareAndNameAsync(batch), taken);
    }

    /// <summary>Batchable creates together (up to the action limit), or one command that reads rows on its own.</summary>
    private List<Pending> TakeBatch()
    {
        var batch = new List<Pending> { _queue.Dequeue() };
        if (!batch[0].Command.IsBatchable)
        {
            return batch;
        }
        var actions = ActionCount(batch[0].Command);
        while (_queue.Count > 0 && _queue.Peek().Command.IsBatchable && actions + ActionCount(_queue.Peek().Command) <= MaxActions - 1)
        {
            var next = _queue.Dequeue();
            actions += ActionCount(next.Command);
            batch.Add(next);
        }
        return batch;
    }

    // A batchable create's operation is its resource's own row (see Finish), so it writes one row,
    // two with an instance, plus its key's claim row when keyed: counting more halved every batch.
    private static int ActionCount(ShardCommand command) =>
        command.IsBatchable
            ? 1 + (command.Instance is null ? 0 : 1) + (command.ClaimHash is null ? 0 : 1)
            : 1 + (command.Instance is null ? 0 : 1) + (command.WithoutOperationRow ? 0 : 1) + (command.ClaimHash is null ? 0 : 1);

    /// <summary>The answer to a command whose flush failed: nothing of it is stored, and a keyed retry finishes it.</summary>
    private static CommandOutcome NotStored => CommandOutcome.Failed(ErrorCode.Unavailable, "The change could not be stored; retry with the same Idempotency-Key.");

    private IFolderInternalGrain Folder => grains.Cached<IFolderInternalGrain>(_folderId);
}

namespace Stratum.Folders;

/// <summary>
/// The image quota ledger: usage taken and given back by images, each change counted once (by its
/// token, or as an import reservation keyed by image), never past a limit.
/// </summary>
public sealed partial class FolderGrain
{
    /// <summary>
    /// Queues the change and waits for the write that stores it. Calls interleave only to queue:
    /// one flush at a time decides every queued change on a copy of the ledger (in order, each
    /// against the usage the ones before it left) and stores them with one write, through the same
    /// StoredState as every other ledger writer. So the folder's writes stay one at a time, while
    /// images created together no longer wait for one folder write each.
    /// </summary>
    async Task IFolderInternalGrain.ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas)
    {
        RequireFolder();
        if (_closing)
        {
            throw StratumException.NotFound("folder", Id);
        }
        var change = new QueuedUsage(FolderLedger.Hash(token), deltas);
        _queuedUsage.Add(change);
        if (!_flushingUsage)
        {
            _flushingUsage = true;
            _usageFlush = FlushUsageAsync();
        }
        await change.Done.Task;
    }

    /// <summary>A queued change and its caller's answer.</summary>
    private sealed record QueuedUsage(ulong Hash, IReadOnlyList<QuotaDelta> Deltas)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly List<QueuedUsage> _queuedUsage = [];
    private bool _flushingUsage;
    private Task _usageFlush = Task.CompletedTask;

    /// <summary>Set by a deletion from before it checks the folder empty: no usage may be taken after that check.</summary>
    private bool _closing;

    private async Task FlushUsageAsync()
    {
        try
        {
            while (_queuedUsage.Count > 0)
            {
                var batch = _queuedUsage.ToList();
                _queuedUsage.Clear();
                var refusals = new Exception?[batch.Count];
                try
                {
                    // Decided again from scratch if the write meets another writer's change.
                    await _ledger.ChangeAsync(l => ApplyUsage(l, batch, refusals));
                }
                catch (Exception e)
                {
                    // Nothing of this batch was stored: each caller may retry with its token.
                    batch.ForEach(c => c.Done.TrySetException(e));
                    continue;
                }
                for (var i = 0; i < batch.Count; i++)
                {
                    _ = refusals[i] is { } refusal ? batch[i].Done.TrySetException(refusal) : batch[i].Done.TrySetResult();
                }
            }
        }
        finally
        {
            _flushingUsage = false;
        }
    }

    /// <summary>Applies each change once (by its token) and all or nothing, refusing one the limits have no room for.</summary>
    private bool ApplyUsage(FolderLedger ledger, List<QueuedUsage> batch, Exception?[] refusals)
    {
        var changed = false;
        for (var i = 0; i < batch.Count; i++)
        {
            refusals[i] = null;
            var change = batch[i];
            if (_closing)
            {
                refusals[i] = StratumException.NotFound("folder", Id);
                continue;
            }
            if (ledger.AppliedTokens.Contains(change.Hash))
            {
                continue;
            }
            try
            {
                foreach (var delta in change.Deltas.Where(d => d.Amount > 0))
                {
                    Demand(ledger, delta.Name, ledger.Used(delta.Name), delta.Amount);
                }
            }
            catch (StratumException refusal)
            {
                refusals[i] = refusal;
                continue;
            }
            foreach (var delta in change.Deltas)
            {
                ledger.Usage[delta.Name] = Math.Max(0, ledger.Usage.GetValueOrDefault(delta.Name) + delta.Amount);
            }
            ledger.AppliedTokens.Add(change.Hash);
            changed = true;
        }
        if (ledger.AppliedTokens.Count > FolderLedger.MaxAppliedTokens)
        {
            ledger.AppliedTokens.RemoveRange(0, ledger.AppliedTokens.Count - FolderLedger.MaxAppliedTokens);
        }
        return changed;
    }

    async Task<long> IFolderInternalGrain.ReserveImportAsync(string imageId, long bytes, bool upToLimit)
    {
        RequireFolder();
        await _ledger.ChangeAsync(l =>
        {
            var held = l.ImportReservations.GetValueOrDefault(imageId);
            var others = l.Used(QuotaNames.ImagesSize) - held;
            var room = State.Limit(QuotaNames.ImagesSize) - others;
            if (!upToLimit)
            {
                Demand(l, QuotaNames.ImagesSize, others, bytes);
            }
            var reserved = Math.Max(0, Math.Min(bytes, room));
            if (reserved == held)
            {
                return false;
            }
            l.ImportReservations[imageId] = reserved;
            return true;
        });
        return Ledger.ImportReservations.GetValueOrDefault(imageId);
    }

    Task IFolderInternalGrain.SettleImportAsync(string imageId, long keep) =>
        State.Folder is null
            ? Task.CompletedTask
            : _ledger.ChangeAsync(l =>
            {
                if (!l.ImportReservations.Remove(imageId))
                {
                    return false;
                }
                l.Usage[QuotaNames.ImagesSize] = l.Usage.GetValueOrDefault(QuotaNames.ImagesSize) + keep;
                return true;
            });

    /// <summary>Refuses (429, naming the quota, its limit and how to raise it) an amount the limit has no room for.</summary>
    private void Demand(FolderLedger ledger, string quota, long usage, long amount)
    {
        var limit = State.Limit(quota);
        if (usage + amount > limit)
        {
            throw new StratumException(ErrorCode.ResourceExhausted,
                $"Quota {quota} of folder '{Id}' would be exceeded: limit {limit}, usage {usage}, requested {amount}. " +
                $"A platform admin can raise it with PATCH /compute/v1/folders/{Id}/quotas.");
        }
    }
}

namespace Stratum.Folders;

/// <summary>
/// The image quota ledger: usage taken and given back by images, each change counted once (by its
/// token, or as an import reservation keyed by image), never past a limit.
/// </summary>
public sealed partial class FolderGrain
{
    /// <summary>
    /// Queues the change and waits for the write that stores it. Calls interleave only to queue:
    /// the queued changes are decided on a copy of the ledger (in order, each against the usage the
    /// ones before it left) and stored with one write (<see cref="Storage.GroupedChanges{T}"/>),
    /// through the same StoredState as every other ledger writer. So the folder's writes stay one at
    /// a time, while images created together no longer wait for one folder write each.
    /// </summary>
    async Task IFolderInternalGrain.ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas)
    {
        RequireFolder();
        if (_closing)
        {
            throw StratumException.NotFound("folder", Id);
        }
        var hash = FolderLedger.Hash(token);
        await UsageChanges.ChangeAsync(l => ApplyUsage(l, hash, deltas));
    }

    private Storage.GroupedChanges<FolderLedger>? _usageChanges;

    private Storage.GroupedChanges<FolderLedger> UsageChanges => _usageChanges ??= new(_ledger);

    /// <summary>Set by a deletion from before it checks the folder empty: no usage may be taken after that check.</summary>
    private bool _closing;

    /// <summary>Applies a change once (by its token) and all or nothing, refusing one the limits have no room for.</summary>
    private bool ApplyUsage(FolderLedger ledger, ulong hash, IReadOnlyList<QuotaDelta> deltas)
    {
        if (_closing)
        {
            throw StratumException.NotFound("folder", Id);
        }
        if (ledger.AppliedTokens.Contains(hash))
        {
            return false;
        }
        foreach (var delta in deltas.Where(d => d.Amount > 0))
        {
            Demand(ledger, delta.Name, ledger.Used(delta.Name), delta.Amount);
        }
        foreach (var delta in deltas)
        {
            ledger.Usage[delta.Name] = Math.Max(0, ledger.Usage.GetValueOrDefault(delta.Name) + delta.Amount);
        }
        ledger.AppliedTokens.Add(hash);
        if (ledger.AppliedTokens.Count > FolderLedger.MaxAppliedTokens)
        {
            ledger.AppliedTokens.RemoveRange(0, ledger.AppliedTokens.Count - FolderLedger.MaxAppliedTokens);
        }
        return true;
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
            throw StratumException.QuotaExceeded(Id, quota, limit, usage, amount);
        }
    }
}

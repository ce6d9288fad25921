namespace Stratum.Folders;

/// <summary>
/// The image quota ledger: usage taken and given back by images, each change counted once (by its
/// token, or as an import reservation keyed by image), never past a limit.
/// </summary>
public sealed partial class FolderGrain
{
    async Task IFolderInternalGrain.ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas)
    {
        RequireFolder();
        var hash = FolderLedger.Hash(token);
        await _ledger.ChangeAsync(l =>
        {
            if (l.AppliedTokens.Contains(hash))
            {
                return false;
            }
            foreach (var delta in deltas.Where(d => d.Amount > 0))
            {
                Demand(l, delta.Name, l.Used(delta.Name), delta.Amount);
            }
            foreach (var delta in deltas)
            {
                l.Usage[delta.Name] = Math.Max(0, l.Usage.GetValueOrDefault(delta.Name) + delta.Amount);
            }
            l.AppliedTokens.Add(hash);
            if (l.AppliedTokens.Count > FolderLedger.MaxAppliedTokens)
            {
                l.AppliedTokens.RemoveRange(0, l.AppliedTokens.Count - FolderLedger.MaxAppliedTokens);
            }
            return true;
        });
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

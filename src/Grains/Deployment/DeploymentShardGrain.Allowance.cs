namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>Allowance a shard first asks for beyond its need, so most flushes need no folder write.</summary>
    private const int Headroom = 64;

    /// <summary>How many times a raise that falls short has the other holders trim and asks again before it refuses.</summary>
    private const int MaxTrims = 3;

    /// <summary>Quota taken by commands admitted but not yet committed; a trim never gives it back.</summary>
    private Dictionary<string, long> _inflight = [];
    private bool _trimmed;
    private bool _allowanceSynced;

    /// <summary>Hands back an allowance left above what was committed (a flush that died), then learns what remains.</summary>
    private async Task SyncAllowanceAsync()
    {
        var started = Diagnostics.StageTimings.Now();
        await Folder.LowerAllowanceAsync(_shard, _counters.QuotaSnapshot());
        _allowance = await Folder.GetAllowanceAsync(_shard);
        _allowanceSynced = true;
        Timings.Since(Diagnostics.StageTimings.ShardSync, started);
    }

    /// <summary>
    /// Takes commands in order while the shard's allowance covers them, raising it from the folder
    /// (with headroom) when it does not. The rest are refused with 429, naming the quota and its limit.
    /// </summary>
    private async Task<List<Prepared>> AdmitAsync(List<Prepared> prepared)
    {
        if (!_allowanceSynced)
        {
            await SyncAllowanceAsync();
        }
        var total = new Delta();
        foreach (var p in prepared)
        {
            total.Plus(p.Delta);
        }
        var need = total.Quota.Where(q => q.Value > 0).ToDictionary(q => q.Key, q => _counters.Quota.GetValueOrDefault(q.Key) + q.Value);
        if (need.Any(n => n.Value > _allowance.GetValueOrDefault(n.Key)) && !_raisingAhead.IsCompleted)
        {
            // A raise already on its way may cover it; only one raise is in flight at a time.
            var waited = Diagnostics.StageTimings.Now();
            await _raisingAhead;
            Timings.Since(Diagnostics.StageTimings.ShardAheadWait, waited);
        }
        if (need.Any(n => n.Value > _allowance.GetValueOrDefault(n.Key)))
        {
            var largest = prepared.SelectMany(p => p.Delta.Quota).Where(q => q.Value > 0).GroupBy(q => q.Key).ToDictionary(g => g.Key, g => g.Max(q => q.Value));
            var want = need.ToDictionary(n => n.Key, n => n.Value + _headroom * largest.GetValueOrDefault(n.Key, 1));
            var started = Diagnostics.StageTimings.Now();
            var trims = 0;
            while (true)
            {
                // A trim that lands while this raise is on its way makes the answer stale: ask again.
                _trimmed = false;
                var grant = await Folder.RaiseAllowanceAsync(_shard, need, want);
                _allowance = grant.Allowance;
                if (_trimmed)
                {
                    continue;
                }
                _folderTight = !grant.Met;
                if (_folderTight)
                {
                    _headroom = Headroom;
                }
                if (grant.Met || trims == MaxTrims || grant.Holders.Count == 0)
                {
                    break;
                }
                // Other shards may hold headroom they do not use: have them give it back, then ask again.
                // More than once: a shard that raised ahead meanwhile may hold the unit this one needs.
                trims++;
                await Task.WhenAll(grant.Holders.Select(k => grains.GetGrain<IDeploymentShardGrain>(Placement.ShardKey(_folderId, k)).TrimAllowanceAsync()));
            }
            Timings.Since(Diagnostics.StageTimings.ShardAllowance, started);
        }
        // No await from here until every command is admitted or refused: a trim arriving in
        // between must see the in-flight amounts of everything admitted so far.
        var admitted = new List<Prepared>();
        var refused = new List<(Prepared Command, string Quota, long Amount)>();
        var used = _counters.QuotaSnapshot();
        foreach (var p in prepared)
        {
            var over = p.Delta.Quota.FirstOrDefault(q => q.Value > 0 && used.GetValueOrDefault(q.Key) + q.Value > _allowance.GetValueOrDefault(q.Key));
            if (over.Key is not null)
            {
                refused.Add((p, over.Key, over.Value));
                continue;
            }
            foreach (var (name, amount) in p.Delta.Quota)
            {
                used[name] = used.GetValueOrDefault(name) + amount;
            }
            admitted.Add(p);
        }
        _inflight = used.ToDictionary(u => u.Key, u => Math.Max(0, u.Value - _counters.Quota.GetValueOrDefault(u.Key)));
        RaiseAheadIfLow(used, admitted);
        // A retry of a keyed request already done is answered with its first operation, whatever the
        // quota is now (lowered below usage, say): it asks for nothing new. Only refusals pay the read.
        var claimed = await Task.WhenAll(refused.Select(r => ClaimedAsync(r.Command.Item.Command)));
        // The same words as the folder's own refusal (an image's), usage included: what is left to free.
        // Asked once per quota of the batch, not per command: the folder adds up every shard's counters.
        var quotas = new Dictionary<string, Quota>();
        foreach (var quota in refused.Zip(claimed).Where(r => r.Second is null).Select(r => r.First.Quota).Distinct())
        {
            quotas[quota] = await Folder.GetQuotaAsync(quota);
        }
        foreach (var ((p, quota, amount), earlier) in refused.Zip(claimed))
        {
            if (earlier is not null)
            {
                p.Item.Done.TrySetResult(earlier);
                continue;
            }
            var (_, limit, usage) = quotas[quota];
            p.Item.Done.TrySetResult(CommandOutcome.Failed(StratumException.QuotaExceeded(_folderId, quota, limit, usage, amount)));
        }
        return admitted;
    }

    private void ClearInflight() => _inflight = [];

    async Task IDeploymentShardGrain.TrimAllowanceAsync()
    {
        _trimmed = true;
        _folderTight = true;
        _headroom = Headroom;
        // A raise ahead on its way lands first, so what it was granted is given back too.
        await _raisingAhead;
        var keep = _counters.Quota.ToDictionary(q => q.Key, q => q.Value + _inflight.GetValueOrDefault(q.Key));
        // Lowered here before the folder hears of it: an admission while the folder's write is on
        // its way must not spend what is being handed back (it did, and a folder at its limit took
        // one create more: the freed units went to the shard that asked for them as well).
        foreach (var (name, value) in keep)
        {
            _allowance[name] = Math.Min(_allowance.GetValueOrDefault(name), value);
        }
        await Folder.LowerAllowanceAsync(_shard, keep);
    }
}

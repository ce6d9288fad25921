using Microsoft.Extensions.Logging;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>A raise asked for before the allowance ran out; at most one raise is on its way at a time.</summary>
    private Task _raisingAhead = Task.CompletedTask;

    /// <summary>
    /// Set when the folder could not grant all that was asked or another shard needed headroom back:
    /// raising ahead then would take what others need, so it waits until a raise is met in full.
    /// </summary>
    private bool _folderTight;

    /// <summary>The largest amount of each quota one command has taken here: the unit headroom is counted in.</summary>
    private readonly Dictionary<string, long> _units = [];

    /// <summary>
    /// Once admission leaves less than half the headroom of some quota, asks the folder for more in
    /// the background, so the flushes that follow find it granted instead of waiting for a folder
    /// write (at concurrency 256 those waits stood in front of every queued create). The answer
    /// replaces the allowance only as the foreground raise's does: a trim on the way makes it ask again.
    /// </summary>
    private void RaiseAheadIfLow(Dictionary<string, long> used, IEnumerable<Prepared> admitted)
    {
        foreach (var (name, amount) in admitted.SelectMany(p => p.Delta.Quota).Where(q => q.Value > 0))
        {
            _units[name] = Math.Max(_units.GetValueOrDefault(name), amount);
        }
        if (!_raisingAhead.IsCompleted || _folderTight)
        {
            return;
        }
        var low = _units.Where(u => _allowance.GetValueOrDefault(u.Key) - used.GetValueOrDefault(u.Key) < Headroom / 2 * u.Value).ToList();
        if (low.Count == 0)
        {
            return;
        }
        // Nothing is needed yet: ask for one unit more than held, so near the limit (where the folder
        // grants headroom to no one) a raise ahead takes at most a unit from what other shards may need.
        var need = low.ToDictionary(u => u.Key, u => _allowance.GetValueOrDefault(u.Key) + u.Value);
        var want = low.ToDictionary(u => u.Key, u => used.GetValueOrDefault(u.Key) + Headroom * u.Value);
        _raisingAhead = RaiseAheadAsync(need, want);
    }

    private async Task RaiseAheadAsync(Dictionary<string, long> need, Dictionary<string, long> want)
    {
        var started = Diagnostics.StageTimings.Now();
        try
        {
            // Asked once: a trim arriving meanwhile waits for this answer and then gives back what it granted.
            var grant = await Folder.RaiseAllowanceAsync(_shard, need, want);
            _allowance = grant.Allowance;
            _folderTight |= !grant.Met;
            Timings.Since(Diagnostics.StageTimings.ShardRaiseAhead, started);
        }
        catch (Exception e)
        {
            // A flush that runs short raises in the foreground as before.
            logger.LogWarning(e, "Shard {Shard} could not raise its allowance ahead of need", this.GetPrimaryKeyString());
        }
    }
}

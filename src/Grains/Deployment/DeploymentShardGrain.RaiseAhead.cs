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

    /// <summary>The most headroom (in units) a shard asks for: what a busy shard admits in a few seconds.</summary>
    private const int MaxHeadroom = 256;

    /// <summary>
    /// Headroom asked for now, in units. Doubles with every raise ahead the folder grants in full, up to
    /// <see cref="MaxHeadroom"/>; back to <see cref="Headroom"/> when it grants less (the folder keeps
    /// room for every shard's headroom, so near the limit a large ask gets nothing) or runs tight. A fixed 64
    /// lasted a busy shard (75 creates a second) under half a second, less than a raise took with eight
    /// shards queueing folder writes (mean 0.55 s, p99 2.6 s at concurrency 256): flushes stood waiting
    /// for it, and every 32 creates cost a folder write.
    /// </summary>
    private int _headroom = Headroom;

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
        var low = _units.Where(u => _allowance.GetValueOrDefault(u.Key) - used.GetValueOrDefault(u.Key) < _headroom / 2 * u.Value).ToList();
        if (low.Count == 0)
        {
            return;
        }
        // Nothing is needed yet: ask for one unit more than held, so near the limit (where the folder
        // grants headroom to no one) a raise ahead takes at most a unit from what other shards may need.
        var need = low.ToDictionary(u => u.Key, u => _allowance.GetValueOrDefault(u.Key) + u.Value);
        var want = low.ToDictionary(u => u.Key, u => used.GetValueOrDefault(u.Key) + _headroom * u.Value);
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
            // Demand goes on (half the headroom is spent): ask for twice as much next time, so raises
            // grow rarer as the shard gets busier. Short of what was wanted, the limit is near: back to the start.
            var fellShort = _folderTight || want.Any(w => _allowance.GetValueOrDefault(w.Key) < w.Value);
            _headroom = fellShort ? Headroom : Math.Min(MaxHeadroom, _headroom * 2);
            Timings.Since(Diagnostics.StageTimings.ShardRaiseAhead, started);
        }
        catch (Exception e)
        {
            // A flush that runs short raises in the foreground as before.
            logger.LogWarning(e, "Shard {Shard} could not raise its allowance ahead of need", this.GetPrimaryKeyString());
        }
    }
}

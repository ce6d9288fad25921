namespace Stratum.Folders;

/// <summary>
/// Compute quotas (disks, snapshots, instances) are spent by the folder's deployment shards,
/// which commit in batches. Each shard holds an allowance; the allowances of all shards never add
/// up past a limit, so usage never does either. A shard raises its allowance with headroom, so
/// thousands of concurrent creates cost a few folder writes, not one each; when the limit is
/// near, the folder names the shards holding headroom and the asking shard has them trim it (the
/// folder itself never waits on a shard, which may be waiting on it).
/// </summary>
public sealed partial class FolderGrain
{
    async Task<int> IFolderInternalGrain.GetDeploymentShardsAsync(int proposed)
    {
        RequireFolder();
        await _record.ChangeAsync(s =>
        {
            if (s.DeploymentShards != 0)
            {
                return false;
            }
            s.DeploymentShards = Math.Max(1, proposed);
            return true;
        });
        return State.DeploymentShards;
    }

    async Task<AllowanceGrant> IFolderInternalGrain.RaiseAllowanceAsync(int shard, Dictionary<string, long> need, Dictionary<string, long> want)
    {
        RequireFolder();
        var met = false;
        await _record.ChangeAsync(s =>
        {
            (met, var changed) = Grant(s, shard, need, want);
            return changed;
        });
        var holders = met ? [] : State.Allowances
            .Where(a => a.Key != shard && need.Keys.Any(n => a.Value.GetValueOrDefault(n) > 0))
            .Select(a => a.Key).ToList();
        return new AllowanceGrant(AllowanceOf(shard), met, holders);
    }

    /// <summary>Raises the shard's allowance towards want within the limits: whether every need is met, and whether anything changed.</summary>
    private static (bool Met, bool Changed) Grant(FolderState state, int shard, Dictionary<string, long> need, Dictionary<string, long> want)
    {
        if (!state.Allowances.TryGetValue(shard, out var mine))
        {
            state.Allowances[shard] = mine = [];
        }
        var (met, changed) = (true, false);
        foreach (var (name, needed) in need)
        {
            var current = mine.GetValueOrDefault(name);
            if (needed <= current)
            {
                continue;
            }
            var others = state.Allowances.Where(a => a.Key != shard).Sum(a => a.Value.GetValueOrDefault(name));
            var room = state.Limit(name) - others;
            // Headroom only where the limit leaves room for every shard's headroom too: near the
            // limit shards get exactly what they need, so headroom never starves another shard's need.
            var headroom = Math.Max(0, want.GetValueOrDefault(name, needed) - needed);
            var spare = room - needed - Math.Max(1, state.DeploymentShards) * headroom;
            var target = Math.Min(needed + Math.Min(headroom, Math.Max(0, spare)), room);
            if (target > current)
            {
                mine[name] = target;
                changed = true;
            }
            met &= target >= needed;
        }
        return (met, changed);
    }

    async Task IFolderInternalGrain.LowerAllowanceAsync(int shard, Dictionary<string, long> committed)
    {
        if (State.Folder is null)
        {
            // Deleted: nothing is allowed any more, so there is nothing to lower.
            return;
        }
        await _record.ChangeAsync(s =>
        {
            var changed = false;
            if (s.Allowances.TryGetValue(shard, out var mine))
            {
                foreach (var (name, value) in committed)
                {
                    if (mine.GetValueOrDefault(name) > value)
                    {
                        mine[name] = value;
                        changed = true;
                    }
                }
            }
            return changed;
        });
    }

    /// <summary>
    /// After a limit is lowered below what the shards' allowances add up to, has every shard holding
    /// that quota hand back what it has not spent. Not awaited: the folder never waits on a shard
    /// (which may be waiting on it); a trim lowers the shard's own allowance before anything else,
    /// so the creates that reach it after the trim are held to the new limit.
    /// </summary>
    private void TrimAllowancesAboveLimits()
    {
        var over = State.Allowances.Values.SelectMany(a => a).GroupBy(a => a.Key)
            .Where(g => g.Sum(a => a.Value) > State.Limit(g.Key)).Select(g => g.Key).ToHashSet();
        foreach (var (shard, allowance) in State.Allowances)
        {
            if (allowance.Any(a => over.Contains(a.Key) && a.Value > 0))
            {
                grains.GetGrain<Deployment.IDeploymentShardGrain>(Deployment.Placement.ShardKey(Id, shard)).TrimAllowanceAsync().Ignore();
            }
        }
    }

    async Task<Quota> IFolderInternalGrain.GetQuotaAsync(string name) => new(name, State.Limit(name), (await UsageAsync()).GetValueOrDefault(name));

    Task<Dictionary<string, long>> IFolderInternalGrain.GetAllowanceAsync(int shard) => Task.FromResult(AllowanceOf(shard));

    private Dictionary<string, long> AllowanceOf(int shard) =>
        State.Allowances.TryGetValue(shard, out var allowance) ? new Dictionary<string, long>(allowance) : [];
}

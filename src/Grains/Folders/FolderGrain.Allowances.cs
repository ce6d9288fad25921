using Stratum.Storage;

namespace Stratum.Folders;

/// <summary>
/// Compute quotas (disks, snapshots, instances) are spent by the folder's deployment shards,
/// which commit in batches. Each shard holds an allowance; the allowances of all shards never add
/// up past a limit, so usage never does either. These methods interleave and share one state
/// write in flight, so thousands of concurrent creates cost a few folder writes, not one each.
/// </summary>
public sealed partial class FolderGrain
{
    async Task<int> IFolderInternalGrain.GetDeploymentShardsAsync(int proposed)
    {
        if (state.State.Folder is null)
        {
            throw StratumException.NotFound("folder", Id);
        }
        if (state.State.DeploymentShards == 0)
        {
            state.State.DeploymentShards = Math.Max(1, proposed);
            await WriteCoalescedAsync();
        }
        return state.State.DeploymentShards;
    }

    async Task<Dictionary<string, long>> IFolderInternalGrain.RaiseAllowanceAsync(int shard, Dictionary<string, long> need, Dictionary<string, long> want)
    {
        if (state.State.Folder is null)
        {
            throw StratumException.NotFound("folder", Id);
        }
        if (!Grant(shard, need, want))
        {
            // Other shards may hold headroom they do not use: ask them to give it back, then try once more.
            var holders = state.State.Allowances.Where(a => a.Key != shard && need.Keys.Any(n => a.Value.GetValueOrDefault(n) > 0)).Select(a => a.Key).ToList();
            await Task.WhenAll(holders.Select(k => grains.GetGrain<Deployment.IDeploymentShardGrain>(Deployment.Placement.ShardKey(Id, k)).TrimAllowanceAsync()));
            Grant(shard, need, want);
        }
        await WriteCoalescedAsync();
        return new Dictionary<string, long>(Allowance(shard));
    }

    /// <summary>Raises the shard's allowance towards want within the limits; true when every need is met.</summary>
    private bool Grant(int shard, Dictionary<string, long> need, Dictionary<string, long> want)
    {
        var mine = Allowance(shard);
        var met = true;
        foreach (var (name, needed) in need)
        {
            var current = mine.GetValueOrDefault(name);
            if (needed <= current)
            {
                continue;
            }
            var others = state.State.Allowances.Where(a => a.Key != shard).Sum(a => a.Value.GetValueOrDefault(name));
            var room = state.State.Limit(name) - others;
            // Headroom only where the limit leaves room for every shard's headroom too: near the
            // limit shards get exactly what they need, so headroom never starves another shard's need.
            var headroom = Math.Max(0, want.GetValueOrDefault(name, needed) - needed);
            var spare = room - needed - Math.Max(1, state.State.DeploymentShards) * headroom;
            var target = Math.Min(needed + Math.Min(headroom, Math.Max(0, spare)), room);
            if (target > current)
            {
                mine[name] = target;
            }
            met &= target >= needed;
        }
        return met;
    }

    async Task IFolderInternalGrain.LowerAllowanceAsync(int shard, Dictionary<string, long> committed)
    {
        var mine = Allowance(shard);
        var changed = false;
        foreach (var (name, value) in committed)
        {
            if (mine.GetValueOrDefault(name) > value)
            {
                mine[name] = value;
                changed = true;
            }
        }
        if (changed)
        {
            await WriteCoalescedAsync();
        }
    }

    Task<long> IFolderInternalGrain.GetLimitAsync(string name) => Task.FromResult(state.State.Limit(name));

    Task<Dictionary<string, long>> IFolderInternalGrain.GetAllowanceAsync(int shard) =>
        Task.FromResult(new Dictionary<string, long>(Allowance(shard)));

    private Dictionary<string, long> Allowance(int shard)
    {
        if (!state.State.Allowances.TryGetValue(shard, out var allowance))
        {
            state.State.Allowances[shard] = allowance = [];
        }
        return allowance;
    }

    private CoalescedWriter? _writer;

    private Task WriteCoalescedAsync() => (_writer ??= new CoalescedWriter(() => state.WriteStateAsync())).WriteAsync();
}

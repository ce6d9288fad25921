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
        var mine = Allowance(shard);
        var changed = false;
        foreach (var (name, needed) in need)
        {
            var current = mine.GetValueOrDefault(name);
            if (needed <= current)
            {
                continue;
            }
            var others = state.State.Allowances.Where(a => a.Key != shard).Sum(a => a.Value.GetValueOrDefault(name));
            var room = state.State.Limit(name) - others;
            var target = Math.Min(Math.Max(needed, want.GetValueOrDefault(name, needed)), room);
            if (target > current)
            {
                mine[name] = target;
                changed = true;
            }
        }
        if (changed)
        {
            await WriteCoalescedAsync();
        }
        return new Dictionary<string, long>(mine);
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

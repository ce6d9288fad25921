namespace Stratum.Folders;

/// <summary>A folder's record: small and bounded (usage counters, not lists of what it holds).</summary>
[GenerateSerializer, Alias("Stratum.FolderState")]
public sealed class FolderState
{
    [Id(0)] public Folder? Folder { get; set; }
    [Id(1)] public List<AccessBinding> Bindings { get; set; } = [];
    [Id(2)] public Dictionary<string, long> Limits { get; set; } = [];
    [Id(3)] public Dictionary<string, long> Usage { get; set; } = [];

    /// <summary>The most recent usage-change tokens, so a retried change is not counted twice.</summary>
    [Id(4)] public List<string> AppliedTokens { get; set; } = [];
    [Id(5)] public string? CreateOperationId { get; set; }

    /// <summary>Deployment shards of this folder (0 until first use), then fixed.</summary>
    [Id(6)] public int DeploymentShards { get; set; }

    /// <summary>Per deployment shard, how much of each compute quota it may commit.</summary>
    [Id(7)] public Dictionary<int, Dictionary<string, long>> Allowances { get; set; } = [];

    /// <summary>
    /// Bytes of compute.images.size held by imports in flight, by image id: taken before or while
    /// their data moves, settled when they end. As many entries as imports running, no more.
    /// </summary>
    [Id(8)] public Dictionary<string, long> ImportReservations { get; set; } = [];

    public const int MaxAppliedTokens = 4096;

    public long Limit(string name) => Limits.TryGetValue(name, out var limit) ? limit : QuotaNames.Defaults.First(d => d.Key == name).Value;

    public long Used(string name) => Usage.GetValueOrDefault(name) + (name == QuotaNames.ImagesSize ? ImportReservations.Values.Sum() : 0);
}

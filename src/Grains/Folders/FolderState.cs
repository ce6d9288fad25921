namespace Stratum.Folders;

/// <summary>
/// A folder's record: what it is, who may do what, its limits and its shards' allowances. Small
/// and bounded; quota usage, which changes at another rate, is in <see cref="FolderLedger"/>.
/// </summary>
[GenerateSerializer, Alias("Stratum.FolderState")]
public sealed class FolderState
{
    [Id(0)] public Folder? Folder { get; set; }
    [Id(1)] public List<AccessBinding> Bindings { get; set; } = [];
    [Id(2)] public Dictionary<string, long> Limits { get; set; } = [];

    /// <summary>Usage as records before the ledger kept it; read once to move it there.</summary>
    [Id(3)] public Dictionary<string, long>? LegacyUsage { get; set; }
    [Id(5)] public string? CreateOperationId { get; set; }

    /// <summary>Deployment shards of this folder (0 until first use), then fixed.</summary>
    [Id(6)] public int DeploymentShards { get; set; }

    /// <summary>Per deployment shard, how much of each compute quota it may commit.</summary>
    [Id(7)] public Dictionary<int, Dictionary<string, long>> Allowances { get; set; } = [];

    public long Limit(string name) => Limits.TryGetValue(name, out var limit) ? limit : QuotaNames.Defaults.First(d => d.Key == name).Value;
}

/// <summary>
/// A folder's image quota usage (disks, snapshots and instances are counted by the deployment
/// shards), with what makes each change count once: the recent change tokens, as 64-bit hashes,
/// and the reservations of imports in flight. Written only when usage changes.
/// </summary>
[GenerateSerializer, Alias("Stratum.FolderLedger")]
public sealed class FolderLedger
{
    /// <summary>How many recent change tokens are remembered; a retry comes long before this many other changes.</summary>
    public const int MaxAppliedTokens = 4096;

    [Id(0)] public Dictionary<string, long> Usage { get; set; } = [];

    /// <summary>Hashes of the most recent change tokens, oldest first.</summary>
    [Id(1)] public List<ulong> AppliedTokens { get; set; } = [];

    /// <summary>
    /// Bytes of compute.images.size held by imports in flight, by image id: taken before or while
    /// their data moves, settled when they end. As many entries as imports running, no more.
    /// </summary>
    [Id(2)] public Dictionary<string, long> ImportReservations { get; set; } = [];

    public long Used(string name) => Usage.GetValueOrDefault(name) + (name == QuotaNames.ImagesSize ? ImportReservations.Values.Sum() : 0);

    public static ulong Hash(string token) => System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(token));
}

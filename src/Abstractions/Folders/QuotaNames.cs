namespace Stratum;

/// <summary>The quota names of the contract and their defaults.</summary>
public static class QuotaNames
{
    /// <summary>Number of images in a folder.</summary>
    public const string ImagesCount = "compute.images.count";
    /// <summary>Bytes of image data in a folder.</summary>
    public const string ImagesSize = "compute.images.size";
    /// <summary>Number of images optimized for deployment (pooled).</summary>
    public const string DiskPoolsCount = "compute.diskPools.count";
    /// <summary>Number of snapshots.</summary>
    public const string SnapshotsCount = "compute.snapshots.count";
    /// <summary>Bytes of snapshot data.</summary>
    public const string SnapshotsSize = "compute.snapshots.size";
    /// <summary>Number of disks.</summary>
    public const string DisksCount = "compute.disks.count";
    /// <summary>Bytes of disks.</summary>
    public const string DisksSize = "compute.disks.size";
    /// <summary>Number of instances.</summary>
    public const string InstancesCount = "compute.instances.count";

    /// <summary>Every quota with its default limit, in the contract's order.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, long>> Defaults =
    [
        new(ImagesCount, 32),
        new(ImagesSize, 1L << 40),
        new(DiskPoolsCount, 0),
        new(SnapshotsCount, 32),
        new(SnapshotsSize, 400L << 30),
        new(DisksCount, 32),
        new(DisksSize, 1L << 40),
        new(InstancesCount, 32),
    ];

    /// <summary>Whether the name is a known quota.</summary>
    public static bool IsKnown(string name) => Defaults.Any(d => d.Key == name);
}

namespace Stratum.Deployment;

/// <summary>What a new disk is made from: where its data is and the facts it inherits.</summary>
public sealed record DiskSource(
    string? ImageId,
    string? SnapshotId,
    string? LayerId,
    string? DataBlob,
    long DataBytes,
    long MinDiskSize,
    OsType Os)
{
    public static readonly DiskSource Empty = new(null, null, null, null, 0, 0, OsType.Linux);

    /// <summary>A pooled source is shared, not copied.</summary>
    public bool IsShared => LayerId is not null;
}

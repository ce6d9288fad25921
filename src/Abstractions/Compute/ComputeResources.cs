namespace Stratum;

/// <summary>The life cycle of disks and snapshots.</summary>
public enum DiskStatus
{
    /// <summary>Being created.</summary>
    Creating,
    /// <summary>Usable.</summary>
    Ready,
    /// <summary>Creation failed.</summary>
    Error,
    /// <summary>Being deleted.</summary>
    Deleting,
}

/// <summary>The life cycle of an instance.</summary>
public enum InstanceStatus
{
    /// <summary>Being created.</summary>
    Provisioning,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Stopped.</summary>
    Stopped,
    /// <summary>Being deleted.</summary>
    Deleting,
    /// <summary>Failed.</summary>
    Error,
}

/// <summary>A disk. From a pooled image it references the image's base layer; otherwise it has its own copy.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Disk")]
public sealed record Disk(
    [property: Id(0)] string Id,
    [property: Id(1)] string FolderId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] long Size,
    [property: Id(5)] DiskStatus Status,
    [property: Id(6)] string? SourceImageId,
    [property: Id(7)] string? SourceSnapshotId,
    [property: Id(8)] string? LayerId,
    [property: Id(9)] string? InstanceId = null);

/// <summary>A snapshot of a disk's data.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Snapshot")]
public sealed record Snapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string FolderId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] long DiskSize,
    [property: Id(5)] long StorageSize,
    [property: Id(6)] DiskStatus Status,
    [property: Id(7)] string SourceDiskId,
    [property: Id(8)] string? LayerId,
    [property: Id(9)] OsInfo Os);

/// <summary>The boot disk of an instance.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BootDisk")]
public sealed record BootDisk(
    [property: Id(0)] string DiskId,
    [property: Id(1)] bool AutoDelete);

/// <summary>A virtual machine.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Instance")]
public sealed record Instance(
    [property: Id(0)] string Id,
    [property: Id(1)] string FolderId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] InstanceStatus Status,
    [property: Id(5)] BootDisk BootDisk);

/// <summary>A shared base layer of pooled images and the disks made from them.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Layer")]
public sealed record Layer(
    [property: Id(0)] string Id,
    [property: Id(1)] long Size,
    [property: Id(2)] string Checksum,
    [property: Id(3)] string Status,
    [property: Id(4)] long ReferenceCount,
    [property: Id(5)] IReadOnlyList<string> ImageIds);

/// <summary>Which family to resolve to its latest image.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyRef")]
public sealed record FamilyRef(
    [property: Id(0)] string FolderId,
    [property: Id(1)] string Name);

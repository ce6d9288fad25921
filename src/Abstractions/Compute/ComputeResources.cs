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

/// <summary>A disk (zone and type are kept as given). From a pooled image it references the image's base layer; otherwise it has its own copy.</summary>
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
    [property: Id(9)] string? InstanceId = null,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(22)] string? ZoneId = null,
    [property: Id(23)] string? TypeId = null);

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
    [property: Id(9)] OsInfo Os,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>The boot disk of an instance.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BootDisk")]
public sealed record BootDisk(
    [property: Id(0)] string DiskId,
    [property: Id(1)] bool AutoDelete);

/// <summary>
/// A virtual machine. Zone, platform, resources and metadata are not modelled by Stratum (it runs
/// no machines): they are kept as given and shown back, as the provider's API shows them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.Instance")]
public sealed record Instance(
    [property: Id(0)] string Id,
    [property: Id(1)] string FolderId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] InstanceStatus Status,
    [property: Id(5)] BootDisk BootDisk,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(22)] string? ZoneId = null,
    [property: Id(23)] string? PlatformId = null,
    [property: Id(24)] InstanceResources? Resources = null,
    [property: Id(25)] IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>An instance's computing resources, as requested; kept and shown, not enforced.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.InstanceResources")]
public sealed record InstanceResources(
    [property: Id(0)] long Memory,
    [property: Id(1)] long Cores,
    [property: Id(2)] long CoreFraction = 0,
    [property: Id(3)] long Gpus = 0);

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

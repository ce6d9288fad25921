namespace Stratum;

/// <summary>The body of a disk create: empty, or from one of an image, a snapshot, a family.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.CreateDiskRequest")]
public sealed record CreateDiskRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] long Size,
    [property: Id(2)] string? Name = null,
    [property: Id(3)] string? ImageId = null,
    [property: Id(4)] string? SnapshotId = null,
    [property: Id(5)] FamilyRef? Family = null,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(22)] string? ZoneId = null,
    [property: Id(23)] string? TypeId = null);

/// <summary>The body of a snapshot create.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.CreateSnapshotRequest")]
public sealed record CreateSnapshotRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] string DiskId,
    [property: Id(2)] string? Name = null,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>How a new disk is made as part of an instance.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.DiskSpec")]
public sealed record DiskSpec(
    [property: Id(0)] long Size,
    [property: Id(1)] string? ImageId = null,
    [property: Id(2)] string? SnapshotId = null,
    [property: Id(3)] FamilyRef? Family = null,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] string? TypeId = null);

/// <summary>An instance's boot disk: an existing disk, or a new one.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BootDiskSpec")]
public sealed record BootDiskSpec(
    [property: Id(0)] bool? AutoDelete = null,
    [property: Id(1)] string? DiskId = null,
    [property: Id(2)] DiskSpec? DiskSpec = null);

/// <summary>
/// The body of an instance create. Zone, platform, resources and metadata are kept and shown
/// back (see <see cref="Instance"/>); the boot disk takes the instance's zone.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.CreateInstanceRequest")]
public sealed record CreateInstanceRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] BootDiskSpec BootDiskSpec,
    [property: Id(2)] string? Name = null,
    [property: Id(20)] string? Description = null,
    [property: Id(21)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(22)] string? ZoneId = null,
    [property: Id(23)] string? PlatformId = null,
    [property: Id(24)] InstanceResources? ResourcesSpec = null,
    [property: Id(25)] IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>The body of <c>instances:bulkCreate</c>.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BulkCreateInstancesRequest")]
public sealed record BulkCreateInstancesRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] int Count,
    [property: Id(2)] string NamePrefix,
    [property: Id(3)] BootDiskSpec BootDiskSpec)
{
    /// <summary>The most instances one call may create; a larger <see cref="Count"/> is refused with INVALID_ARGUMENT.</summary>
    public const int MaxCount = 1000;
}

/// <summary>The response of a bulk create: what was made, and why each failure failed.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BulkCreateResult")]
public sealed record BulkCreateResult(
    [property: Id(0)] IReadOnlyList<Instance> Instances,
    [property: Id(1)] IReadOnlyList<BulkCreateFailure> Failures);

/// <summary>One instance of a bulk create that was not made.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.BulkCreateFailure")]
public sealed record BulkCreateFailure(
    [property: Id(0)] string Name,
    [property: Id(1)] ErrorInfo Error);

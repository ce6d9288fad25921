namespace Stratum;

/// <summary>
/// The body of an image create: a folder, optional attributes, and exactly one source (an image,
/// a disk, a snapshot, a URL to import, or a staged upload from <c>images:prepareUpload</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.CreateImageRequest")]
public sealed record CreateImageRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] string? Name = null,
    [property: Id(2)] string? Description = null,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(4)] string? Family = null,
    [property: Id(5)] long? MinDiskSize = null,
    [property: Id(6)] IReadOnlyList<string>? ProductIds = null,
    [property: Id(7)] OsInfo? Os = null,
    [property: Id(8)] bool? Pooled = null,
    [property: Id(9)] string? ImageId = null,
    [property: Id(10)] string? DiskId = null,
    [property: Id(11)] string? SnapshotId = null,
    [property: Id(12)] string? Uri = null,
    [property: Id(14)] string? UploadId = null);

/// <summary>The fields an image update may change; those left null are kept.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.UpdateImageRequest")]
public sealed record UpdateImageRequest(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] string? Description = null,
    [property: Id(2)] long? MinDiskSize = null,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>The body of <c>:deprecate</c>.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.DeprecateRequest")]
public sealed record DeprecateRequest(
    [property: Id(0)] DeprecationState State,
    [property: Id(1)] string? Replacement = null);

/// <summary>A family as the families list shows it.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilySummary")]
public sealed record FamilySummary(
    [property: Id(0)] string Name,
    [property: Id(1)] string FolderId,
    [property: Id(2)] string? LatestImageId,
    [property: Id(3)] long ImageCount);

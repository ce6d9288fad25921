namespace Stratum;

/// <summary>
/// The body of an image create: a folder, optional attributes, and exactly one source (an image,
/// a disk, a snapshot, a URL to import, or a staged upload from <c>images:prepareUpload</c>).
/// <see cref="Format"/>, when given, is the format the imported bytes must be (a mismatch is refused, code 3).
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
    [property: Id(13)] ImageFormat? Format = null,
    [property: Id(14)] string? UploadId = null,
    [property: Id(15)] RolloutRequest? Rollout = null,
    [property: Id(16)] bool? DeletionProtection = null);

/// <summary>The fields an image update may change; those left null are kept.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.UpdateImageRequest")]
public sealed record UpdateImageRequest(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] string? Description = null,
    [property: Id(2)] long? MinDiskSize = null,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Labels = null,
    [property: Id(10)] bool? DeletionProtection = null);

/// <summary>
/// The body of <c>:deprecate</c>: a state to take now (if given) and times to schedule. A time left
/// null keeps what is scheduled; one named in <paramref name="Clear"/> is unscheduled.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.DeprecateRequest")]
public sealed record DeprecateRequest(
    [property: Id(0)] DeprecationState? State,
    [property: Id(1)] string? Replacement = null,
    [property: Id(10)] DateTimeOffset? DeprecateAt = null,
    [property: Id(11)] DateTimeOffset? ObsoleteAt = null,
    [property: Id(12)] DateTimeOffset? DeleteAt = null,
    [property: Id(13)] LifecycleTimes Clear = LifecycleTimes.None);

/// <summary>The scheduled times of an image's lifecycle, as flags (which ones a request clears).</summary>
[Flags]
public enum LifecycleTimes
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary><c>deprecateAt</c>.</summary>
    DeprecateAt = 1,
    /// <summary><c>obsoleteAt</c>.</summary>
    ObsoleteAt = 2,
    /// <summary><c>deleteAt</c>.</summary>
    DeleteAt = 4,
}

/// <summary>A family as the families list shows it.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilySummary")]
public sealed record FamilySummary(
    [property: Id(0)] string Name,
    [property: Id(1)] string FolderId,
    [property: Id(2)] string? LatestImageId,
    [property: Id(3)] long ImageCount,
    [property: Id(10)] IReadOnlyList<FamilyRollout>? Rollouts = null);

/// <summary>A member of a family newer than its 100 % latest that is still rolling out, and how far.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyRollout")]
public sealed record FamilyRollout(
    [property: Id(0)] string ImageId,
    [property: Id(1)] int Percent);

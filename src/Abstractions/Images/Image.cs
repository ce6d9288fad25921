namespace Stratum;

/// <summary>An image: a complete copy of a disk's data, used mainly as a VM's boot disk.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Image")]
public sealed record Image(
    [property: Id(0)] string Id,
    [property: Id(1)] string FolderId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] string Description,
    [property: Id(5)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(6)] string? Family,
    [property: Id(7)] long StorageSize,
    [property: Id(8)] long MinDiskSize,
    [property: Id(9)] IReadOnlyList<string> ProductIds,
    [property: Id(10)] ImageStatus Status,
    [property: Id(11)] OsInfo Os,
    [property: Id(12)] bool Pooled,
    [property: Id(13)] ImageFormat? Format,
    [property: Id(14)] string? Checksum,
    [property: Id(15)] string? LayerId,
    [property: Id(16)] Deprecation Deprecation,
    [property: Id(17)] long? FamilySequence,
    [property: Id(20)] Rollout? Rollout = null,
    [property: Id(21)] bool DeletionProtection = false,
    [property: Id(22)] ScheduleFailure? ScheduleFailure = null,
    [property: Id(23)] DateTimeOffset? DeletedAt = null,
    [property: Id(24)] DateTimeOffset? PurgeAt = null);

/// <summary>The operating system of an image.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.OsInfo")]
public sealed record OsInfo([property: Id(0)] OsType Type);

/// <summary>
/// An image's deprecation state, optionally the image to use instead, and the times at which it
/// becomes DEPRECATED, OBSOLETE or is deleted on its own.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.Deprecation")]
public sealed record Deprecation(
    [property: Id(0)] DeprecationState State,
    [property: Id(1)] string? Replacement = null,
    [property: Id(10)] DateTimeOffset? DeprecateAt = null,
    [property: Id(11)] DateTimeOffset? ObsoleteAt = null,
    [property: Id(12)] DateTimeOffset? DeleteAt = null)
{
    /// <summary>The state of a new image.</summary>
    public static readonly Deprecation Active = new(DeprecationState.Active);
}

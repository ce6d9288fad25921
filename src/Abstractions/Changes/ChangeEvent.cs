namespace Stratum.Changes;

/// <summary>What a change event reports.</summary>
public enum ChangeKind
{
    /// <summary>
    /// An image was accepted and is CREATING. An image whose data was copied while it was accepted
    /// (a small copy of stored data) is never CREATING: it is announced by <see cref="ImageReady"/> alone.
    /// </summary>
    ImageCreated,
    /// <summary>An image's data is stored; it is READY (and has joined its family).</summary>
    ImageReady,
    /// <summary>An image's name, description, minDiskSize or labels changed.</summary>
    ImageUpdated,
    /// <summary>An image's deprecation state changed.</summary>
    ImageDeprecated,
    /// <summary>An image is being deleted; it no longer answers latest.</summary>
    ImageDeleted,
    /// <summary>A family's newest ACTIVE member changed; carries the image (or none), its familySequence and the family's revision.</summary>
    FamilyLatestChanged,
    /// <summary>A base layer's data was freed: nothing used it any more.</summary>
    LayerFreed,
    /// <summary>The access bindings of a folder or of an image changed.</summary>
    AccessChanged,
    /// <summary>
    /// Sent by a silo when the feed was silent for a moment (a quarter second by default; its
    /// <see cref="ChangeEvent.ResourceId"/> names the silo): a consumer that hears pulses, or any
    /// other event, knows the feed is flowing.
    /// </summary>
    Pulse,
    /// <summary>An image's rollout percent or its scheduled steps changed.</summary>
    ImageRolloutChanged,
    /// <summary>An image came back from its folder's recycle bin.</summary>
    ImageRestored,
    /// <summary>An image's time in the recycle bin ended: it is gone for good.</summary>
    ImagePurged,
}

/// <summary>
/// One change, as news: state stays the truth, so a consumer that misses an event is late, never
/// wrong. <see cref="Id"/> is unique per event, so a consumer drops what a queue delivers twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.ChangeEvent")]
public sealed record ChangeEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] ChangeKind Kind,
    [property: Id(2)] DateTimeOffset OccurredAt,
    [property: Id(3)] string? FolderId = null,
    [property: Id(4)] string? ResourceId = null,
    [property: Id(5)] string? Family = null,
    [property: Id(6)] long? FamilySequence = null,
    [property: Id(7)] long? Revision = null)
{
    /// <summary>A new event with a fresh id.</summary>
    public static ChangeEvent Of(ChangeKind kind, string? folderId = null, string? resourceId = null, string? family = null,
        long? familySequence = null, long? revision = null) =>
        new(Guid.NewGuid().ToString("N"), kind, DateTimeOffset.UtcNow, folderId, resourceId, family, familySequence, revision);

    /// <summary>An image event; the image's family lets a consumer tell which cached answers it touches.</summary>
    public static ChangeEvent OfImage(ChangeKind kind, Image image) => Of(kind, image.FolderId, image.Id, image.Family, image.FamilySequence);
}

namespace Stratum;

/// <summary>
/// What an operation's metadata describes, under the key <c>@type</c>, written as the provider's
/// REST API writes it: the type URL of the protobuf message that the gRPC API packs as the
/// operation's metadata (the other metadata entries are that message's fields, camelCase).
/// </summary>
public static class OperationTypes
{
    /// <summary>The metadata key that carries the type.</summary>
    public const string Key = "@type";

    /// <summary>The prefix of every type URL.</summary>
    public const string UrlPrefix = "type.googleapis.com/";

    /// <summary>An image create: <c>imageId</c>.</summary>
    public const string CreateImage = UrlPrefix + "yandex.cloud.compute.v1.CreateImageMetadata";
    /// <summary>An image update: <c>imageId</c>.</summary>
    public const string UpdateImage = UrlPrefix + "yandex.cloud.compute.v1.UpdateImageMetadata";
    /// <summary>An image delete: <c>imageId</c>.</summary>
    public const string DeleteImage = UrlPrefix + "yandex.cloud.compute.v1.DeleteImageMetadata";
    /// <summary>A deprecation (Stratum's own): <c>imageId</c>.</summary>
    public const string DeprecateImage = UrlPrefix + "stratum.compute.v1.DeprecateImageMetadata";
    /// <summary>A rollout change (Stratum's own): <c>imageId</c>.</summary>
    public const string RolloutImage = UrlPrefix + "stratum.compute.v1.RolloutImageMetadata";
    /// <summary>A restore from the recycle bin (Stratum's own): <c>imageId</c>.</summary>
    public const string RestoreImage = UrlPrefix + "stratum.compute.v1.RestoreImageMetadata";
    /// <summary>A disk create: <c>diskId</c>.</summary>
    public const string CreateDisk = UrlPrefix + "yandex.cloud.compute.v1.CreateDiskMetadata";
    /// <summary>A disk delete: <c>diskId</c>.</summary>
    public const string DeleteDisk = UrlPrefix + "yandex.cloud.compute.v1.DeleteDiskMetadata";
    /// <summary>A snapshot create: <c>snapshotId</c>, <c>diskId</c>.</summary>
    public const string CreateSnapshot = UrlPrefix + "yandex.cloud.compute.v1.CreateSnapshotMetadata";
    /// <summary>A snapshot delete: <c>snapshotId</c>.</summary>
    public const string DeleteSnapshot = UrlPrefix + "yandex.cloud.compute.v1.DeleteSnapshotMetadata";
    /// <summary>An instance create: <c>instanceId</c>.</summary>
    public const string CreateInstance = UrlPrefix + "yandex.cloud.compute.v1.CreateInstanceMetadata";
    /// <summary>An instance delete: <c>instanceId</c>.</summary>
    public const string DeleteInstance = UrlPrefix + "yandex.cloud.compute.v1.DeleteInstanceMetadata";
    /// <summary>Access bindings replaced: <c>resourceId</c>.</summary>
    public const string SetAccessBindings = UrlPrefix + "yandex.cloud.access.SetAccessBindingsMetadata";
    /// <summary>Access bindings added or removed: <c>resourceId</c>.</summary>
    public const string UpdateAccessBindings = UrlPrefix + "yandex.cloud.access.UpdateAccessBindingsMetadata";
}

using Stratum.Validation;

namespace Stratum.Images;

/// <summary>The contract's rules for image requests, checked before anything is changed.</summary>
public static class ImageRequestRules
{
    public static void Validate(CreateImageRequest request)
    {
        if (request is null)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        if (string.IsNullOrEmpty(request.FolderId))
        {
            throw StratumException.Invalid("folderId is required.");
        }
        Rules.Name(request.Name);
        Rules.Family(request.Family);
        Rules.Description(request.Description);
        Rules.Labels(request.Labels);
        Rules.DiskSize(request.MinDiskSize, "minDiskSize");
        Rules.ProductIds(request.ProductIds);
        var sources = new[] { ("imageId", request.ImageId), ("diskId", request.DiskId), ("snapshotId", request.SnapshotId), ("uri", request.Uri), ("uploadId", request.UploadId) }
            .Where(s => s.Item2 is not null).Select(s => s.Item1).ToList();
        if (sources.Count != 1)
        {
            throw StratumException.Invalid(sources.Count == 0
                ? "Exactly one source is required: imageId, diskId, snapshotId, uri or uploadId."
                : $"Exactly one source is allowed, but {string.Join(" and ", sources)} were given.");
        }
        if (request.ImageId is not null)
        {
            Rules.Id(request.ImageId, ResourceIds.Image, "imageId");
        }
        if (request.DiskId is not null)
        {
            Rules.Id(request.DiskId, ResourceIds.Disk, "diskId");
        }
        if (request.SnapshotId is not null)
        {
            Rules.Id(request.SnapshotId, ResourceIds.Snapshot, "snapshotId");
        }
        if (request.UploadId is not null)
        {
            Rules.Id(request.UploadId, ResourceIds.Upload, "uploadId");
        }
        if ((request.Uri ?? request.UploadId) is not null && request.Os?.Type == OsType.Windows)
        {
            throw StratumException.Invalid($"os.type WINDOWS cannot be imported from {(request.Uri is null ? "an upload" : "a uri")}: Windows boot images are created from a disk or a snapshot.");
        }
        Releases.ReleaseRules.ValidateCreate(request);
    }

    public static void Validate(UpdateImageRequest request)
    {
        if (request is null)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        if (request is { Name: null, Description: null, MinDiskSize: null, Labels: null, DeletionProtection: null })
        {
            throw StratumException.Invalid("Nothing to update: give name, description, minDiskSize, labels or deletionProtection.");
        }
        Rules.Name(request.Name);
        Rules.Description(request.Description);
        Rules.DiskSize(request.MinDiskSize, "minDiskSize");
        Rules.Labels(request.Labels);
    }

    public static void Validate(DeprecateRequest request)
    {
        if (request is null)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        if (request.State is { } state && !Enum.IsDefined(state))
        {
            throw StratumException.Invalid("state must be ACTIVE, DEPRECATED or OBSOLETE.");
        }
        if (request is { State: null, Replacement: null, DeprecateAt: null, ObsoleteAt: null, DeleteAt: null, Clear: LifecycleTimes.None })
        {
            throw StratumException.Invalid("Nothing to change: give state, deprecateAt, obsoleteAt or deleteAt.");
        }
        if (request.Replacement is not null)
        {
            Rules.Id(request.Replacement, ResourceIds.Image, "replacement");
        }
    }

    /// <summary>minDiskSize may not be below the size of the disk the data describes.</summary>
    public static void MinDiskSizeCovers(long minDiskSize, long sourceSize)
    {
        if (minDiskSize < sourceSize)
        {
            throw StratumException.Invalid($"minDiskSize {minDiskSize} is below the source's size of {sourceSize} bytes.");
        }
    }
}

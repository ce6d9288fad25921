using Stratum.Validation;

namespace Stratum.Deployment;

/// <summary>The contract's rules for disk, snapshot and instance requests.</summary>
public static class ComputeRules
{
    public const int MaxBulkCount = BulkCreateInstancesRequest.MaxCount;

    public static void Validate(CreateDiskRequest request)
    {
        Require(request, request?.FolderId);
        Rules.Name(request!.Name);
        Rules.DiskSize(request.Size, "size");
        AtMostOneSource(request.ImageId, request.SnapshotId, request.Family, "");
        Rules.Description(request.Description);
        Rules.Labels(request.Labels);
        KeptFieldRules.ProviderId(request.ZoneId, "zoneId");
        KeptFieldRules.ProviderId(request.TypeId, "typeId");
    }

    public static void Validate(DiskSpec? spec, string field)
    {
        if (spec is null)
        {
            throw StratumException.Invalid($"{field} is required.");
        }
        Rules.DiskSize(spec.Size, $"{field}.size");
        AtMostOneSource(spec.ImageId, spec.SnapshotId, spec.Family, $"{field}.");
        Rules.Description(spec.Description, $"{field}.description");
        KeptFieldRules.ProviderId(spec.TypeId, $"{field}.typeId");
    }

    public static void Validate(CreateInstanceRequest request)
    {
        Require(request, request?.FolderId);
        Rules.Name(request!.Name);
        Validate(request.BootDiskSpec, "bootDiskSpec", allowExistingDisk: true);
        Rules.Description(request.Description);
        Rules.Labels(request.Labels);
        KeptFieldRules.ProviderId(request.ZoneId, "zoneId");
        KeptFieldRules.ProviderId(request.PlatformId, "platformId");
        KeptFieldRules.Resources(request.ResourcesSpec, "resourcesSpec");
        KeptFieldRules.Metadata(request.Metadata);
    }

    public static void Validate(BulkCreateInstancesRequest request)
    {
        Require(request, request?.FolderId);
        if (request!.Count is < 1 or > MaxBulkCount)
        {
            throw StratumException.Invalid($"count {request.Count} is out of range: 1 to {MaxBulkCount} instances per call.");
        }
        if (string.IsNullOrEmpty(request.NamePrefix))
        {
            throw StratumException.Invalid("namePrefix is required.");
        }
        Rules.Name($"{request.NamePrefix}-{request.Count}", "namePrefix (with its -N suffix)");
        Validate(request.BootDiskSpec, "bootDiskSpec", allowExistingDisk: false);
    }

    public static void Validate(CreateSnapshotRequest request)
    {
        Require(request, request?.FolderId);
        Rules.Name(request!.Name);
        Rules.Id(request.DiskId, ResourceIds.Disk, "diskId");
        Rules.Description(request.Description);
        Rules.Labels(request.Labels);
    }

    private static void Validate(BootDiskSpec? spec, string field, bool allowExistingDisk)
    {
        if (spec is null)
        {
            throw StratumException.Invalid($"{field} is required.");
        }
        if ((spec.DiskId is null) == (spec.DiskSpec is null))
        {
            throw StratumException.Invalid($"{field} needs exactly one of diskId or diskSpec.");
        }
        if (spec.DiskId is not null)
        {
            if (!allowExistingDisk)
            {
                throw StratumException.Invalid($"{field}.diskId cannot be used here: each instance needs its own new disk (diskSpec).");
            }
            Rules.Id(spec.DiskId, ResourceIds.Disk, $"{field}.diskId");
        }
        else
        {
            Validate(spec.DiskSpec, $"{field}.diskSpec");
        }
    }

    private static void AtMostOneSource(string? imageId, string? snapshotId, FamilyRef? family, string prefix)
    {
        var given = new[] { ("imageId", imageId is not null), ("snapshotId", snapshotId is not null), ("family", family is not null) }
            .Where(s => s.Item2).Select(s => prefix + s.Item1).ToList();
        if (given.Count > 1)
        {
            throw StratumException.Invalid($"At most one source is allowed, but {string.Join(" and ", given)} were given.");
        }
        if (imageId is not null)
        {
            Rules.Id(imageId, ResourceIds.Image, prefix + "imageId");
        }
        if (snapshotId is not null)
        {
            Rules.Id(snapshotId, ResourceIds.Snapshot, prefix + "snapshotId");
        }
        if (family is not null)
        {
            // Named as the reader names a field left out.
            if (string.IsNullOrEmpty(family.FolderId))
            {
                throw StratumException.Invalid($"{prefix}family.folderId is required.");
            }
            if (string.IsNullOrEmpty(family.Name))
            {
                throw StratumException.Invalid($"{prefix}family.name is required.");
            }
            Rules.Family(family.Name, prefix + "family.name");
        }
    }

    private static void Require(object? request, string? folderId)
    {
        if (request is null)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        if (string.IsNullOrEmpty(folderId))
        {
            throw StratumException.Invalid("folderId is required.");
        }
    }
}

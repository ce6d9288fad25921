using Stratum.Access;
using Stratum.Images;

namespace Stratum.Deployment;

public sealed partial class ComputeGrain
{
    /// <summary>
    /// The source of a new disk: an image (needs the use permission; READY, not OBSOLETE), the
    /// latest image of a family for the cohort of <paramref name="cohortKey"/> (the new resource's
    /// id, so many VMs split by the family's rollouts), a snapshot, or nothing.
    /// </summary>
    private async Task<DiskSource> ResolveAsync(Caller caller, string? imageId, string? snapshotId, FamilyRef? family, string cohortKey)
    {
        if (family is not null)
        {
            imageId = (await grains.Cached<IImageCatalogGrain>(0).GetLatestByFamilyAsync(caller, family.FolderId, family.Name, cohortKey)).Id;
        }
        if (imageId is not null)
        {
            return await ImageSourceAsync(caller, imageId);
        }
        if (snapshotId is not null)
        {
            var row = await rows.GetAsync(snapshotId);
            if (row is null || row.GetString("Kind") != ComputeRows.SnapshotKind)
            {
                throw StratumException.NotFound("snapshot", snapshotId);
            }
            Authorizer.Demand(await FolderPermissionAsync(caller, row.GetString("FolderId")), Permission.Use, "snapshot", snapshotId, "use");
            var snapshot = ComputeRows.Read<Snapshot>(row);
            var blob = row.GetString("DataBlob") is { Length: > 0 } b ? b : null;
            return new DiskSource(null, snapshot.Id, snapshot.LayerId, blob, snapshot.StorageSize, snapshot.DiskSize, snapshot.Os.Type);
        }
        return DiskSource.Empty;
    }

    private async Task<DiskSource> ImageSourceAsync(Caller caller, string imageId)
    {
        var image = (await grains.Cached<IImageInternalGrain>(imageId).GetSourceAsync(caller)).Image;
        return image is { Pooled: true, LayerId: { } layerId }
            ? new DiskSource(image.Id, null, layerId, layerId, image.StorageSize, image.MinDiskSize, image.Os.Type)
            : new DiskSource(image.Id, null, null, image.Id, image.StorageSize, image.MinDiskSize, image.Os.Type);
    }

    private static void RequireSize(long size, DiskSource source, string field)
    {
        if (size < source.MinDiskSize)
        {
            throw StratumException.Invalid($"{field} {size} is below the source's minDiskSize of {source.MinDiskSize} bytes.");
        }
    }

    /// <summary>A disk from a pooled source shares its layer; from any other source it gets its own copy, made before the commit.</summary>
    private async Task<ShardCommand> WithDataAsync(DiskSource source, Disk disk, ShardCommand command)
    {
        if (source.DataBlob is null)
        {
            return command;
        }
        if (source.IsShared)
        {
            return command with { DataBlob = source.LayerId, DataBytes = source.DataBytes };
        }
        var blob = Placement.DataBlobFor(disk.Id);
        await data.CopyAsync(source.DataBlob, blob, source.DataBytes);
        return command with { DataBlob = blob, DataBytes = source.DataBytes };
    }

    /// <summary>Removes a copy made for a command that was not committed.</summary>
    private async Task DiscardDataAsync(ShardCommand command)
    {
        var owner = command.Snapshot?.Id ?? command.Disk?.Id;
        if (owner is not null && command.DataBlob is { } blob && blob.StartsWith(owner, StringComparison.Ordinal))
        {
            await data.DeleteAsync(blob);
        }
    }
}

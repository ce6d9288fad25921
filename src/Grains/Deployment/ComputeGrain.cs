using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Stratum.Access;
using Stratum.Folders;
using Stratum.Images;
using Stratum.Index;
using Stratum.Layers;
using Stratum.Operations;

namespace Stratum.Deployment;

/// <summary>
/// The front door for disks, snapshots and instances: validates, authorizes, resolves sources and
/// moves data, then hands each change to the deployment shard that commits it. Stateless, so it
/// runs on every silo.
/// </summary>
// Reentrant: it keeps no state, so calls interleave freely instead of queueing behind one another.
[StatelessWorker, Reentrant]
public sealed partial class ComputeGrain(
    Authorizer authorizer,
    ComputeRows rows,
    ImageData data,
    ResourceIndex index,
    IOptions<DeploymentOptions> options,
    Releases.FamilyResolver resolver,
    IGrainFactory grains) : Grain, IComputeGrain
{
    /// <summary>
    /// Each folder's shard count (fixed once set), asked of the folder once per silo: the first
    /// callers share one call instead of each taking a turn on the folder (256 at a deployment's start).
    /// </summary>
    private static readonly ConcurrentDictionary<string, Task<int>> ShardCounts = new();

    async Task<Operation> IComputeGrain.CreateDiskAsync(Caller caller, CreateDiskRequest request, string? idempotencyKey)
    {
        ComputeRules.Validate(request);
        await DemandFolderAsync(caller, request.FolderId, Permission.Edit, "create disks in");
        var route = await RouteAsync(caller, request.FolderId, idempotencyKey, "disks.create", request);
        var diskId = route.NewId(ResourceIds.Disk);
        var source = await ResolveAsync(caller, request.ImageId, request.SnapshotId, request.Family, cohortKey: diskId);
        RequireSize(request.Size, source, "size");
        var disk = new Disk(diskId, request.FolderId, DateTimeOffset.UtcNow, request.Name,
            request.Size, DiskStatus.Creating, source.ImageId, source.SnapshotId, source.LayerId,
            Description: request.Description, Labels: request.Labels, ZoneId: request.ZoneId, TypeId: request.TypeId);
        var command = await WithDataAsync(source, disk, new ShardCommand(CommandKind.CreateDisk, Placement.OperationIdOf(disk.Id),
            $"Create disk {request.Name ?? disk.Id}", caller.Subject.ToString(), route.ClaimHash, route.Fingerprint, disk, source.Os));
        return await SubmitAsync(route, command);
    }

    async Task<Disk> IComputeGrain.GetDiskAsync(Caller caller, string diskId) =>
        ComputeRows.Read<Disk>(await ReadableRowAsync(caller, diskId, ComputeRows.DiskKind, "disk"));

    async Task<Page<Disk>> IComputeGrain.ListDisksAsync(Caller caller, string folderId, ListQuery query)
    {
        await DemandFolderAsync(caller, folderId, Permission.Read, "read");
        return await rows.ListAsync(folderId, await ShardsAsync(folderId), ComputeRows.DiskKind, query, ComputeRows.Read<Disk>);
    }

    Task<Operation> IComputeGrain.DeleteDiskAsync(Caller caller, string diskId, string? idempotencyKey) =>
        DeleteAsync(caller, diskId, ComputeRows.DiskKind, "disk", CommandKind.DeleteDisk, idempotencyKey);

    async Task<IReadOnlyList<Operation>> IComputeGrain.ListOperationsAsync(Caller caller, string resourceId)
    {
        var (kind, noun) = resourceId[..3] switch
        {
            ResourceIds.Disk => (ComputeRows.DiskKind, "disk"),
            ResourceIds.Instance => (ComputeRows.InstanceKind, "instance"),
            _ => (ComputeRows.SnapshotKind, "snapshot"),
        };
        var row = await ReadableRowAsync(caller, resourceId, kind, noun);
        if (row.GetString("OperationId") is { Length: > 0 } madeBy && madeBy != Placement.OperationIdOf(resourceId))
        {
            // Made by another resource's operation (a boot disk by its instance's create, an instance by a
            // bulk create): that one, not an operation named after this resource, which never existed.
            var operation = (await rows.FindOperationAsync(madeBy))?.Operation ?? await grains.GetGrain<IOperationInternalGrain>(madeBy).TryGetAsync();
            return operation is null ? [] : [operation];
        }
        return [ComputeRows.OperationFromResourceRow(row)];
    }

    async Task<Layer> IComputeGrain.GetLayerAsync(Caller caller, string layerId)
    {
        var holders = await grains.GetGrain<ILayerGrain>(layerId).GetHoldersAsync() ?? throw StratumException.NotFound("layer", layerId);
        if (authorizer.IsPlatformAdmin(caller))
        {
            return holders.Layer;
        }
        // Identical content in two tenants' folders is one layer: a caller sees the holders it may
        // read (images, and disks and snapshots in folders it may read), not the others' ids and counts.
        var images = new List<string>();
        foreach (var imageId in holders.Layer.ImageIds)
        {
            if (await grains.Cached<IImageInternalGrain>(imageId).TryGetAsync(caller) is not null)
            {
                images.Add(imageId);
            }
        }
        var references = 0L;
        foreach (var (folderId, count) in holders.ReferencesByFolder)
        {
            if ((await FolderPermissionAsync(caller, folderId)).HasFlag(Permission.Read))
            {
                references += count;
            }
        }
        return images.Count > 0 || references > 0
            ? holders.Layer with { ImageIds = images, ReferenceCount = images.Count + references }
            : throw StratumException.NotFound("layer", layerId);
    }

    // ---- shared steps

    /// <summary>
    /// A keyed delete's operation id comes from its key and target, so a retry of one that finished
    /// finds its operation by a point read even though the target is gone (within the window).
    /// </summary>
    private async Task<Operation> DeleteAsync(Caller caller, string id, string kind, string noun, CommandKind command, string? idempotencyKey)
    {
        var claimHash = Idempotency.ClaimKey(caller, idempotencyKey);
        var operationId = claimHash is null
            ? Placement.NewId(ResourceIds.Operation, Placement.PartitionOf(id))
            : Placement.DeterministicId(ResourceIds.Operation, Placement.PartitionOf(id), $"{claimHash}/{id}");
        var row = await rows.GetAsync(id);
        if (row is null && claimHash is not null && await rows.GetAsync(operationId) is { } done && done.Timestamp > DateTimeOffset.UtcNow - Idempotency.Window)
        {
            return ComputeRows.ReadOperation(done);
        }
        if (row is null || row.GetString("Kind") != kind)
        {
            throw StratumException.NotFound(noun, id);
        }
        var folderId = row.GetString("FolderId");
        Authorizer.Demand(await FolderPermissionAsync(caller, folderId), Permission.Edit, noun, id, "delete");
        var route = await RouteToAsync(caller, folderId, id, idempotencyKey, $"{noun}s.delete", id);
        var operation = await SubmitKeyedAsync(route, operationId, opId => Task.FromResult(
            new ShardCommand(command, opId, $"Delete {noun} {id}", caller.Subject.ToString(), TargetId: id)));
        if (row.GetString("Name") is { Length: > 0 } name)
        {
            await index.ReleaseNameAsync(folderId, noun, name, id);
        }
        return operation;
    }

    private async Task<TableEntity> ReadableRowAsync(Caller caller, string id, string kind, string noun)
    {
        var row = await rows.GetAsync(id);
        if (row is null || row.GetString("Kind") != kind)
        {
            throw StratumException.NotFound(noun, id);
        }
        Authorizer.Demand(await FolderPermissionAsync(caller, row.GetString("FolderId")), Permission.Read, noun, id, "read");
        return row;
    }

    private Task<Permission> FolderPermissionAsync(Caller caller, string folderId) => authorizer.OnImageAsync(caller, folderId, []);

    private async Task DemandFolderAsync(Caller caller, string folderId, Permission needed, string action) =>
        Authorizer.Demand(await FolderPermissionAsync(caller, folderId), needed, "folder", folderId, action);

    private async Task<int> ShardsAsync(string folderId)
    {
        var asked = ShardCounts.GetOrAdd(folderId, id => grains.GetGrain<IFolderInternalGrain>(id).GetDeploymentShardsAsync(options.Value.Shards));
        try
        {
            return await asked;
        }
        catch
        {
            // A failed answer (a folder not found, storage down) is not kept: the next call asks again.
            ShardCounts.TryRemove(KeyValuePair.Create(folderId, asked));
            throw;
        }
    }

    private IDeploymentShardGrain Shard(string folderId, int shard) => grains.Cached<IDeploymentShardGrain>(Placement.ShardKey(folderId, shard));

}

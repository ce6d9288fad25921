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
    private static readonly ConcurrentDictionary<string, int> ShardCounts = new();

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
        return [ComputeRows.OperationFromResourceRow(await ReadableRowAsync(caller, resourceId, kind, noun))];
    }

    async Task<Layer> IComputeGrain.GetLayerAsync(Caller caller, string layerId)
    {
        var layer = await grains.GetGrain<ILayerGrain>(layerId).GetAsync() ?? throw StratumException.NotFound("layer", layerId);
        if (authorizer.IsPlatformAdmin(caller))
        {
            return layer;
        }
        foreach (var imageId in layer.ImageIds)
        {
            if (await grains.GetGrain<IImageInternalGrain>(imageId).TryGetAsync(caller) is not null)
            {
                return layer;
            }
        }
        throw StratumException.NotFound("layer", layerId);
    }

    // ---- shared steps

    /// <summary>Which shard commits a create: the idempotency key's (so a retry meets its claim), else any.</summary>
    private async Task<Route> RouteAsync(Caller caller, string folderId, string? idempotencyKey, string action, object request)
    {
        var shards = await ShardsAsync(folderId);
        var claimHash = Idempotency.ClaimKey(caller, idempotencyKey);
        var fingerprint = claimHash is null ? null : Idempotency.Fingerprint(action, request);
        // A keyed create goes to the shard its key names, so a retry meets its own earlier row.
        var shard = claimHash is null ? Random.Shared.Next(shards) : (int)(Convert.ToUInt32(claimHash[..8], 16) % (uint)shards);
        return new Route(folderId, shard, Placement.Home(folderId, shard), claimHash, fingerprint);
    }

    private sealed record Route(string FolderId, int Shard, int Home, string? ClaimHash, string? Fingerprint)
    {
        /// <summary>
        /// An id in the shard's home partition. With an Idempotency-Key it is derived from the key,
        /// so a retry names the same resource and meets its own earlier row instead of making another.
        /// </summary>
        public string NewId(string prefix) =>
            ClaimHash is null ? Placement.NewId(prefix, Home) : Placement.DeterministicId(prefix, Home, $"{ClaimHash}/{prefix}");
    }

    /// <summary>Hands a create to its shard, which reserves the name with the batch; a copy made for it is removed if it was not used.</summary>
    private async Task<Operation> SubmitAsync(Route route, ShardCommand command)
    {
        var outcome = (await Shard(route.FolderId, route.Shard).SubmitAsync([command]))[0];
        if (outcome.Operation is { } operation && !outcome.Replayed)
        {
            return operation;
        }
        // A replayed create (a retry) is answered with its first operation; this attempt's copy is not used.
        await DiscardDataAsync(command);
        return outcome.Operation ?? throw new StratumException(outcome.Error!.Code, outcome.Error.Message);
    }

    private async Task<Operation?> FirstOperationAsync(int home, string claimHash, string fingerprint)
    {
        var claim = await rows.GetAsync(Placement.PartitionKey(home), ShardRows.ClaimPrefix + claimHash);
        if (claim is null)
        {
            return null;
        }
        if (claim.GetString("Fingerprint") != fingerprint)
        {
            throw new StratumException(ErrorCode.Aborted, Operations.Idempotency.ReusedKey);
        }
        return await rows.GetAsync(claim.GetString("OperationId")) is { } row ? ComputeRows.ReadOperation(row) : null;
    }

    /// <summary>
    /// A delete's claim lives in the partition of the shard that ran it, so a key used before on
    /// another resource of the folder is looked for on every shard: the same request is answered
    /// with its first operation, another is refused (code 10) before anything is deleted.
    /// </summary>
    private async Task<Operation?> FirstOnAnyShardAsync(string folderId, int shards, string claimHash, string fingerprint)
    {
        var homes = Enumerable.Range(0, shards).Select(k => Placement.Home(folderId, k)).Distinct();
        var found = await Task.WhenAll(homes.Select(home => FirstOperationAsync(home, claimHash, fingerprint)));
        return found.FirstOrDefault(o => o is not null);
    }

    private async Task<Operation> DeleteAsync(Caller caller, string id, string kind, string noun, CommandKind command, string? idempotencyKey)
    {
        var claimHash = Idempotency.ClaimKey(caller, idempotencyKey);
        var fingerprint = Idempotency.Fingerprint($"{noun}s.delete", id);
        var row = await rows.GetAsync(id);
        if (row is null && claimHash is not null && await FirstOperationAsync(Placement.PartitionOf(id), claimHash, fingerprint) is { } first)
        {
            return first;
        }
        if (row is null || row.GetString("Kind") != kind)
        {
            throw StratumException.NotFound(noun, id);
        }
        var folderId = row.GetString("FolderId");
        Authorizer.Demand(await FolderPermissionAsync(caller, folderId), Permission.Edit, noun, id, "delete");
        var shards = await ShardsAsync(folderId);
        var shard = Placement.ShardOf(folderId, id, shards);
        if (claimHash is not null && await FirstOnAnyShardAsync(folderId, shards, claimHash, fingerprint) is { } earlier)
        {
            return earlier;
        }
        var outcome = (await Shard(folderId, shard).SubmitAsync([new ShardCommand(command, Placement.NewId(ResourceIds.Operation, Placement.PartitionOf(id)),
            $"Delete {noun} {id}", caller.Subject.ToString(), claimHash, fingerprint, TargetId: id)]))[0];
        if (outcome.Error is null && row.GetString("Name") is { Length: > 0 } name)
        {
            await index.ReleaseNameAsync(folderId, noun, name, id);
        }
        return outcome.Operation ?? throw new StratumException(outcome.Error!.Code, outcome.Error.Message);
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
        if (ShardCounts.TryGetValue(folderId, out var shards))
        {
            return shards;
        }
        shards = await grains.GetGrain<IFolderInternalGrain>(folderId).GetDeploymentShardsAsync(options.Value.Shards);
        return ShardCounts[folderId] = shards;
    }

    private IDeploymentShardGrain Shard(string folderId, int shard) => grains.GetGrain<IDeploymentShardGrain>(Placement.ShardKey(folderId, shard));

}

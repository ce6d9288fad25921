using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Disks, snapshots, instances and layers. Each handler parses, calls one grain, returns.</summary>
public static class ComputeEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var compute = api.MapGroup("/compute/v1").WithTags("Compute");

        compute.MapPost("/disks", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).CreateDiskAsync(http.Caller(), await RequestReader.BodyAsync<CreateDiskRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<CreateDiskRequest>()
            .WithName("CreateDisk").WithSummary("Create a disk")
            .WithDescription("From `imageId`, `snapshotId` or `family` {folderId, name} (resolved by the server for the new disk's cohort); "
                + "`size` at least the source's minDiskSize. A disk from a pooled image copies nothing.");
        compute.MapGet("/disks", async (HttpContext http, IGrainFactory grains, [AsParameters] FolderQuery folder, [AsParameters] ListParameters list) =>
            TypedResults.Ok(DiskPage.Of(await Grain(grains).ListDisksAsync(http.Caller(), folder.Id, list.ToQuery()))))
            .WithName("ListDisks").WithSummary("List a folder's disks");
        compute.MapGet("/disks/{diskId:plain}", async (string diskId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Grain(grains).GetDiskAsync(http.Caller(), RequestIds.Of(diskId, ResourceIds.Disk, "disk"))))
            .WithName("GetDisk").WithSummary("Get a disk");
        compute.MapDelete("/disks/{diskId:plain}", async (string diskId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).DeleteDiskAsync(http.Caller(), RequestIds.Of(diskId, ResourceIds.Disk, "disk"), idempotency.Value)))
            .WithName("DeleteDisk").WithSummary("Delete a disk").WithDescription("Refused (400, code 9) while an instance uses it, naming the instance.");

        compute.MapPost("/snapshots", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).CreateSnapshotAsync(http.Caller(), await RequestReader.BodyAsync<CreateSnapshotRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<CreateSnapshotRequest>()
            .WithName("CreateSnapshot").WithSummary("Create a snapshot of a disk");
        compute.MapGet("/snapshots", async (HttpContext http, IGrainFactory grains, [AsParameters] FolderQuery folder, [AsParameters] ListParameters list) =>
            TypedResults.Ok(SnapshotPage.Of(await Grain(grains).ListSnapshotsAsync(http.Caller(), folder.Id, list.ToQuery()))))
            .WithName("ListSnapshots").WithSummary("List a folder's snapshots");
        compute.MapGet("/snapshots/{snapshotId:plain}", async (string snapshotId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Grain(grains).GetSnapshotAsync(http.Caller(), RequestIds.Of(snapshotId, ResourceIds.Snapshot, "snapshot"))))
            .WithName("GetSnapshot").WithSummary("Get a snapshot");
        compute.MapDelete("/snapshots/{snapshotId:plain}", async (string snapshotId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).DeleteSnapshotAsync(http.Caller(), RequestIds.Of(snapshotId, ResourceIds.Snapshot, "snapshot"), idempotency.Value)))
            .WithName("DeleteSnapshot").WithSummary("Delete a snapshot");

        compute.MapPost("/instances", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).CreateInstanceAsync(http.Caller(), await RequestReader.BodyAsync<CreateInstanceRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<CreateInstanceRequest>()
            .WithName("CreateInstance").WithSummary("Create an instance")
            .WithDescription("Its boot disk is an existing `diskId`, or a new disk from `diskSpec` (an image, a snapshot, or a family resolved by the server).");
        compute.MapPost("/instances:bulkCreate", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).BulkCreateInstancesAsync(http.Caller(), await RequestReader.BodyAsync<BulkCreateInstancesRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<BulkCreateInstancesRequest>()
            .WithName("BulkCreateInstances").WithSummary("Create many instances in one operation")
            .WithDescription("`count` instances named `namePrefix-N`, each with a boot disk from `bootDiskSpec`; all of them, or an error listing each refusal. "
                + "Checked against the quotas first: a fresh folder allows 32 instances and 32 disks.");
        compute.MapGet("/instances", async (HttpContext http, IGrainFactory grains, [AsParameters] FolderQuery folder, [AsParameters] ListParameters list) =>
            TypedResults.Ok(InstancePage.Of(await Grain(grains).ListInstancesAsync(http.Caller(), folder.Id, list.ToQuery()))))
            .WithName("ListInstances").WithSummary("List a folder's instances");
        compute.MapGet("/instances/{instanceId:plain}", async (string instanceId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Grain(grains).GetInstanceAsync(http.Caller(), RequestIds.Of(instanceId, ResourceIds.Instance, "instance"))))
            .WithName("GetInstance").WithSummary("Get an instance");
        compute.MapDelete("/instances/{instanceId:plain}", async (string instanceId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Grain(grains).DeleteInstanceAsync(http.Caller(), RequestIds.Of(instanceId, ResourceIds.Instance, "instance"), idempotency.Value)))
            .WithName("DeleteInstance").WithSummary("Delete an instance").WithDescription("Its boot disk too when it was created with autoDelete.");

        foreach (var (plural, prefix, noun, name, article) in new[]
        {
            ("disks", ResourceIds.Disk, "disk", "Disk", "a"), ("snapshots", ResourceIds.Snapshot, "snapshot", "Snapshot", "a"), ("instances", ResourceIds.Instance, "instance", "Instance", "an"),
        })
        {
            compute.MapGet($"/{plural}/{{id}}/operations", async (string id, HttpContext http, IGrainFactory grains) =>
                TypedResults.Ok(new OperationList(await Grain(grains).ListOperationsAsync(http.Caller(), RequestIds.Of(id, prefix, noun)))))
                .WithName($"List{name}Operations").WithSummary($"List {article} {noun}'s operations");
        }

        compute.MapGet("/layers/{layerId:plain}", async (string layerId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Grain(grains).GetLayerAsync(http.Caller(), RequestIds.Of(layerId, ResourceIds.Layer, "layer"))))
            .WithName("GetLayer").WithSummary("Get a base layer and who holds it")
            .WithDescription("A pooled image's data (its `layerId`): size, checksum, and its holders the caller may read (images it can read; disks and snapshots in folders it can read), counted exactly; 404 when it may read none.");
    }

    private static IComputeGrain Grain(IGrainFactory grains) => grains.Cached<IComputeGrain>(0);
}

using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Disks, snapshots, instances and layers. Each handler parses, calls one grain, returns.</summary>
public static class ComputeEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var compute = api.MapGroup("/compute/v1").WithTags("Compute");

        compute.MapPost("/disks", async (HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).CreateDiskAsync(http.Caller(), await RequestReader.BodyAsync<CreateDiskRequest>(http.Request), Key(http))))
            .Accepts<CreateDiskRequest>("application/json").Produces<Operation>();
        compute.MapGet("/disks", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await Grain(grains).ListDisksAsync(http.Caller(), FolderId(http), RequestReader.ListQuery(http.Request));
            return Json(new { disks = page.Items, nextPageToken = page.NextPageToken });
        });
        compute.MapGet("/disks/{diskId}", async (string diskId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).GetDiskAsync(http.Caller(), Id(diskId, ResourceIds.Disk, "disk")))).Produces<Disk>();
        compute.MapDelete("/disks/{diskId}", async (string diskId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).DeleteDiskAsync(http.Caller(), Id(diskId, ResourceIds.Disk, "disk"), Key(http)))).Produces<Operation>();

        compute.MapPost("/snapshots", async (HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).CreateSnapshotAsync(http.Caller(), await RequestReader.BodyAsync<CreateSnapshotRequest>(http.Request), Key(http))))
            .Accepts<CreateSnapshotRequest>("application/json").Produces<Operation>();
        compute.MapGet("/snapshots", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await Grain(grains).ListSnapshotsAsync(http.Caller(), FolderId(http), RequestReader.ListQuery(http.Request));
            return Json(new { snapshots = page.Items, nextPageToken = page.NextPageToken });
        });
        compute.MapGet("/snapshots/{snapshotId}", async (string snapshotId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).GetSnapshotAsync(http.Caller(), Id(snapshotId, ResourceIds.Snapshot, "snapshot")))).Produces<Snapshot>();
        compute.MapDelete("/snapshots/{snapshotId}", async (string snapshotId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).DeleteSnapshotAsync(http.Caller(), Id(snapshotId, ResourceIds.Snapshot, "snapshot"), Key(http)))).Produces<Operation>();

        compute.MapPost("/instances", async (HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).CreateInstanceAsync(http.Caller(), await RequestReader.BodyAsync<CreateInstanceRequest>(http.Request), Key(http))))
            .Accepts<CreateInstanceRequest>("application/json").Produces<Operation>();
        compute.MapPost("/instances:bulkCreate", async (HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).BulkCreateInstancesAsync(http.Caller(), await RequestReader.BodyAsync<BulkCreateInstancesRequest>(http.Request), Key(http))))
            .Accepts<BulkCreateInstancesRequest>("application/json").Produces<Operation>();
        compute.MapGet("/instances", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await Grain(grains).ListInstancesAsync(http.Caller(), FolderId(http), RequestReader.ListQuery(http.Request));
            return Json(new { instances = page.Items, nextPageToken = page.NextPageToken });
        });
        compute.MapGet("/instances/{instanceId}", async (string instanceId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).GetInstanceAsync(http.Caller(), Id(instanceId, ResourceIds.Instance, "instance")))).Produces<Instance>();
        compute.MapDelete("/instances/{instanceId}", async (string instanceId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).DeleteInstanceAsync(http.Caller(), Id(instanceId, ResourceIds.Instance, "instance"), Key(http)))).Produces<Operation>();

        foreach (var (plural, prefix, noun) in new[] { ("disks", ResourceIds.Disk, "disk"), ("snapshots", ResourceIds.Snapshot, "snapshot"), ("instances", ResourceIds.Instance, "instance") })
        {
            compute.MapGet($"/{plural}/{{id}}/operations", async (string id, HttpContext http, IGrainFactory grains) =>
                Json(new { operations = await Grain(grains).ListOperationsAsync(http.Caller(), Id(id, prefix, noun)) }));
        }

        compute.MapGet("/layers/{layerId}", async (string layerId, HttpContext http, IGrainFactory grains) =>
            Json(await Grain(grains).GetLayerAsync(http.Caller(), Id(layerId, ResourceIds.Layer, "layer")))).Produces<Layer>();
    }

    private static IComputeGrain Grain(IGrainFactory grains) => grains.GetGrain<IComputeGrain>(0);

    private static IResult Json(object value) => Results.Json(value, ContractJson.Options);

    private static string? Key(HttpContext http) => RequestReader.IdempotencyKey(http.Request);

    private static string Id(string id, string prefix, string kind) => ResourceIds.IsValid(id, prefix) ? id : throw StratumException.NotFound(kind, id);

    private static string FolderId(HttpContext http)
    {
        var id = RequestReader.Required(http.Request, "folderId");
        return ResourceIds.IsValid(id, ResourceIds.Folder) || id == "standard-images" ? id : throw StratumException.NotFound("folder", id);
    }
}

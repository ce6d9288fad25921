using System.Runtime.CompilerServices;
using System.Text.Json;
using Stratum.Changes;
using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Images, families and image bindings. Each handler parses, calls one grain, returns.</summary>
public static class ImageEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var compute = api.MapGroup("/compute/v1").WithTags("Images");
        compute.MapPost("/images", async (HttpContext http, IGrainFactory grains) =>
            Json(await grains.GetGrain<IImageCatalogGrain>(0).CreateAsync(http.Caller(),
                await RequestReader.BodyAsync<CreateImageRequest>(http.Request), RequestReader.IdempotencyKey(http.Request))))
            .Accepts<CreateImageRequest>("application/json").Produces<Operation>();
        compute.MapGet("/images", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await grains.GetGrain<IImageCatalogGrain>(0).ListAsync(http.Caller(),
                FolderId(RequestReader.Required(http.Request, "folderId")), RequestReader.ListQuery(http.Request), ReleaseRequests.View(http.Request));
            return Json(new { images = page.Items, nextPageToken = page.NextPageToken });
        });
        // The hottest read: its services are taken once here, not bound from the request each time.
        var services = ((IEndpointRouteBuilder)compute).ServiceProvider;
        var (grains, cache, writes) = (services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<LatestCache>(), services.GetRequiredService<WriteTracker>());
        compute.MapGet("/images:latestByFamily", async (HttpContext http) =>
        {
            var caller = http.Caller();
            var folderId = FolderId(RequestReader.Required(http.Request, "folderId"));
            var family = RequestReader.Required(http.Request, "family");
            var cohortKey = RequestReader.Optional(http.Request, "cohortKey");
            // Served from this gateway's cache (per caller and cohort bucket) while the change feed keeps it
            // fresh; a caller who just changed an image goes to the grains (and past their caches) to read its write.
            var bucket = Cohorts.Bucket(folderId, family, cohortKey ?? Cohorts.KeyOf(caller));
            var image = await cache.GetLatestAsync(caller, folderId, family, bucket, writes.WroteRecently(caller.Subject),
                () => grains.GetGrain<IImageCatalogGrain>(0).GetLatestByFamilyAsync(caller, folderId, family, cohortKey));
            return Results.Bytes(SerializedImages.GetValue(image, i => JsonSerializer.SerializeToUtf8Bytes(i, ContractJson.Options)), JsonContentType);
        }).Produces<Image>();
        FamilyWatchEndpoint.Map(compute);
        compute.MapGet("/families", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await grains.GetGrain<IImageCatalogGrain>(0).ListFamiliesAsync(http.Caller(),
                FolderId(RequestReader.Required(http.Request, "folderId")), RequestReader.ListQuery(http.Request));
            return Json(new { families = page.Items, nextPageToken = page.NextPageToken });
        });
        compute.MapGet("/images/{resource}", async (string resource, HttpContext http, IGrainFactory grains) =>
        {
            var path = ResourcePath.Parse(resource);
            var image = Image(grains, path);
            return path.Method switch
            {
                null => Json(await image.GetAsync(http.Caller())),
                "listAccessBindings" => Json(new { accessBindings = await image.ListAccessBindingsAsync(http.Caller()) }),
                _ => throw path.UnknownMethod(),
            };
        }).Produces<Image>();
        compute.MapGet("/images/{imageId}/operations", async (string imageId, HttpContext http, IGrainFactory grains) =>
            Json(new { operations = await Image(grains, new ResourcePath(imageId, null)).ListOperationsAsync(http.Caller()) }));
        compute.MapPatch("/images/{imageId}", async (string imageId, HttpContext http, IGrainFactory grains) =>
            Json(await Image(grains, new ResourcePath(imageId, null)).UpdateAsync(http.Caller(),
                await RequestReader.BodyAsync<UpdateImageRequest>(http.Request), RequestReader.IdempotencyKey(http.Request))))
            .Accepts<UpdateImageRequest>("application/json").Produces<Operation>();
        compute.MapDelete("/images/{imageId}", async (string imageId, HttpContext http, IGrainFactory grains) =>
            Json(await Image(grains, new ResourcePath(imageId, null)).DeleteAsync(http.Caller(), RequestReader.IdempotencyKey(http.Request))))
            .Produces<Operation>();
        compute.MapPost("/images/{resource}", async (string resource, HttpContext http, IGrainFactory grains) =>
        {
            var path = ResourcePath.Parse(resource);
            var image = Image(grains, path);
            var key = RequestReader.IdempotencyKey(http.Request);
            if (path.Method == "export")
            {
                return Json(await image.ExportAsync(http.Caller(), await UploadEndpoints.OptionalBodyAsync(http.Request, new ExportRequest())));
            }
            return Json(path.Method switch
            {
                "deprecate" => await image.DeprecateAsync(http.Caller(), (await RequestReader.BodyAsync<DeprecateBody>(http.Request)).ToRequest(), key),
                "rollout" => await image.RolloutAsync(http.Caller(), await RequestReader.BodyAsync<RolloutRequest>(http.Request), key),
                "restore" => await image.RestoreAsync(http.Caller(), key),
                "setAccessBindings" => await image.SetAccessBindingsAsync(http.Caller(),
                    (await RequestReader.BodyAsync<SetAccessBindingsBody>(http.Request)).AccessBindings ?? throw StratumException.Invalid("accessBindings is required."), key),
                "updateAccessBindings" => await image.UpdateAccessBindingsAsync(http.Caller(),
                    (await RequestReader.BodyAsync<UpdateAccessBindingsBody>(http.Request)).AccessBindingDeltas ?? throw StratumException.Invalid("accessBindingDeltas is required."), key),
                _ => throw path.UnknownMethod(),
            });
        }).Produces<Operation>();
    }

    private const string JsonContentType = "application/json; charset=utf-8";

    // A cached image is the same object on every hit, so its JSON is written once.
    private static readonly ConditionalWeakTable<Image, byte[]> SerializedImages = new();

    private static IResult Json(object value) => Results.Json(value, ContractJson.Options);

    private static IImageGrain Image(IGrainFactory grains, ResourcePath path) =>
        grains.GetGrain<IImageGrain>(path.Require(id => ResourceIds.IsValid(id, ResourceIds.Image), "image"));

    /// <summary>A malformed folder id names no folder: 404, as for any folder the caller cannot see.</summary>
    internal static string FolderId(string id) =>
        ResourceIds.IsValid(id, ResourceIds.Folder) || id == "standard-images" ? id : throw StratumException.NotFound("folder", id);
}

using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Images and families. Each handler parses, calls one grain, returns. The custom methods are in <see cref="ImageMethodEndpoints"/>.</summary>
public static class ImageEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var compute = api.MapGroup("/compute/v1").WithTags("Images");
        compute.MapPost("/images", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Catalog(grains).CreateAsync(http.Caller(), await RequestReader.BodyAsync<CreateImageRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<CreateImageRequest>()
            .WithName("CreateImage").WithSummary("Create an image")
            .WithDescription("From exactly one source: `imageId`, `diskId`, `snapshotId`, `uri` (an import over http(s) from an allowed host) "
                + "or `uploadId` (a file uploaded through images:prepareUpload). The operation is done when the image is READY or ERROR.");
        compute.MapGet("/images", async (HttpContext http, IGrainFactory grains, [AsParameters] FolderQuery folder, [AsParameters] ListParameters list, [AsParameters] ImageViewQuery view) =>
            TypedResults.Ok(ImagePage.Of(await Catalog(grains).ListAsync(http.Caller(), folder.Id, list.ToQuery(), view.Value))))
            .WithName("ListImages").WithSummary("List a folder's images")
            .WithDescription("All of them for those who may read the folder; for anyone else, only the images shared with them.");
        // The hottest read: its services are taken once here, not bound from the request each time.
        var latest = ((IEndpointRouteBuilder)compute).ServiceProvider.GetRequiredService<LatestByFamilyReads>();
        compute.MapGet("/images:latestByFamily", (HttpContext http, [AsParameters] FolderQuery folder, [AsParameters] FamilyQuery family) =>
            latest.ReadAsync(http, folder.Id, family.Name, family.Cohort))
            .CarriesTokenItself()
            .WithName(LatestByFamilyShortcut.EndpointName).WithSummary("The latest image of a family")
            .WithDescription("The newest READY, ACTIVE member of the family whose rollout covers the caller's cohort and that the caller may read. "
                + "404 when there is none: a caller who may read the folder is told whether the family exists; anyone else is not.");
        FamilyWatchEndpoint.Map(compute);
        compute.MapGet("/families", async (HttpContext http, IGrainFactory grains, [AsParameters] FolderQuery folder, [AsParameters] ListParameters list) =>
            TypedResults.Ok(FamilyPage.Of(await Catalog(grains).ListFamiliesAsync(http.Caller(), folder.Id, list.ToQuery()))))
            .WithName("ListFamilies").WithSummary("List a folder's families")
            .WithDescription("Each family with its latest image at 100 % and the newer members still rolling out.");
        compute.MapGet("/images/{imageId:plain}", async (string imageId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Image(grains, imageId).GetAsync(http.Caller())))
            .WithName("GetImage").WithSummary("Get an image");
        compute.MapGet("/images/{imageId}/operations", async (string imageId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(new OperationList(await Image(grains, imageId).ListOperationsAsync(http.Caller()))))
            .WithName("ListImageOperations").WithSummary("List an image's operations");
        compute.MapPatch("/images/{imageId:plain}", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).UpdateAsync(http.Caller(), await RequestReader.BodyAsync<UpdateImageRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<UpdateImageRequest>()
            .WithName("UpdateImage").WithSummary("Update an image")
            .WithDescription("Only name, description, minDiskSize, labels (replaced whole) and deletionProtection; fields left out keep their value.");
        compute.MapDelete("/images/{imageId:plain}", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).DeleteAsync(http.Caller(), idempotency.Value)))
            .WithName("DeleteImage").WithSummary("Delete an image")
            .WithDescription("Refused (400, code 9) while deletionProtection is set. With the folder's recycle bin on, a READY image moves there "
                + "(status DELETED) until its purgeAt. Disks made from the image keep working: its data lives on while anything uses it.");
        ImageMethodEndpoints.Map(compute);
    }

    internal static IImageCatalogGrain Catalog(IGrainFactory grains) => grains.Cached<IImageCatalogGrain>(0);

    internal static IImageGrain Image(IGrainFactory grains, string imageId) =>
        grains.Cached<IImageGrain>(RequestIds.Of(imageId, ResourceIds.Image, "image"));

    /// <summary>A malformed folder id names no folder: 404, as for any folder the caller cannot see.</summary>
    internal static string FolderId(string id) => RequestIds.Folder(id);
}

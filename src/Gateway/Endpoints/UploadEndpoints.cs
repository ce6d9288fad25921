using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// Direct uploads: the gateway hands out a signed URL and never carries the bytes. (Exports are
/// the image method <c>:export</c>, mapped with the other image methods.)
/// </summary>
public static class UploadEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGroup("/compute/v1").WithTags("Images").MapPost("/images:prepareUpload", async (HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await grains.Cached<IImageCatalogGrain>(0).PrepareUploadAsync(http.Caller(), await RequestReader.BodyAsync<PrepareUploadRequest>(http.Request))))
            .AcceptsJson<PrepareUploadRequest>()
            .WithName("PrepareImageUpload").WithSummary("A write-only URL to upload an image file to")
            .WithDescription("An Azure Blob SAS URL to a staging blob: put the file in blocks (Put Block, then Put Block List), resumably; "
                + "then create the image with `uploadId`. Needs the right to create images in the folder; unused uploads expire.");
    }
}

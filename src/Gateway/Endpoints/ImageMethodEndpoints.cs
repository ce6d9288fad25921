using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// The custom methods of an image (<c>/images/{imageId}:deprecate</c>, …), each its own route, so
/// each is its own operation in the OpenAPI document with its own body. One that does not exist is
/// answered by <see cref="FrameworkRefusals"/> with the list of those that do.
/// </summary>
public static class ImageMethodEndpoints
{
    public static void Map(RouteGroupBuilder compute)
    {
        compute.MapPost("/images/{imageId}:deprecate", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).DeprecateAsync(http.Caller(), (await RequestReader.BodyAsync<DeprecateBody>(http.Request)).ToRequest(), idempotency.Value)))
            .AcceptsJson<DeprecateBody>()
            .WithName("DeprecateImage").WithSummary("Deprecate an image, now or on a schedule")
            .WithDescription("`state` (ACTIVE, DEPRECATED, OBSOLETE) changes now; `deprecateAt`, `obsoleteAt`, `deleteAt` (future, in that order) "
                + "schedule the changes, null clears one, absent keeps it. `replacement` names another READY image of the same folder.");
        compute.MapPost("/images/{imageId}:rollout", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).RolloutAsync(http.Caller(), await RequestReader.BodyAsync<RolloutRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<RolloutRequest>()
            .WithName("RolloutImage").WithSummary("Change how far an image is latest in its family")
            .WithDescription("`percent` (0-100) applies now; `steps` (at most 16, each {percent, at} in the future) replace the schedule, "
                + "and a body without steps clears it.");
        compute.MapPost("/images/{imageId}:restore", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
        {
            await RequestReader.NoBodyAsync(http.Request);
            return TypedResults.Ok(await Image(grains, imageId).RestoreAsync(http.Caller(), idempotency.Value));
        })
            .WithName("RestoreImage").WithSummary("Bring an image back from the recycle bin")
            .WithDescription("With the same id and family position; no body, or `{}`.");
        compute.MapPost("/images/{imageId}:export", async (string imageId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Image(grains, imageId).ExportAsync(http.Caller(), await RequestReader.OptionalBodyAsync(http.Request, new ExportRequest()))))
            .AcceptsJson<ExportRequest>(isOptional: true)
            .WithName("ExportImage").WithSummary("A read-only URL to an image's bytes")
            .WithDescription("Time-limited (`ttlSeconds`, default 3600, at most 7 days); Range requests work. Needs read access; "
                + "images with productIds are not exportable (400, code 9). The body may be left out.");
        compute.MapGet("/images/{imageId}:listAccessBindings", async (string imageId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(new AccessBindingList(await Image(grains, imageId).ListAccessBindingsAsync(http.Caller()))))
            .WithName("ListImageAccessBindings").WithSummary("List an image's access bindings");
        compute.MapPost("/images/{imageId}:setAccessBindings", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).SetAccessBindingsAsync(http.Caller(), (await RequestReader.BodyAsync<SetAccessBindingsBody>(http.Request)).Required(), idempotency.Value)))
            .AcceptsJson<SetAccessBindingsBody>()
            .WithName("SetImageAccessBindings").WithSummary("Replace an image's access bindings")
            .WithDescription("Admin role needed. `compute.images.user` for `system:allAuthenticatedUsers` makes the image public; `allUsers` is refused on images.");
        compute.MapPost("/images/{imageId}:updateAccessBindings", async (string imageId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Image(grains, imageId).UpdateAccessBindingsAsync(http.Caller(), (await RequestReader.BodyAsync<UpdateAccessBindingsBody>(http.Request)).Required(), idempotency.Value)))
            .AcceptsJson<UpdateAccessBindingsBody>()
            .WithName("UpdateImageAccessBindings").WithSummary("Add and remove an image's access bindings")
            .WithDescription("Admin role needed; each delta is {action: ADD|REMOVE, accessBinding}.");
    }

    private static IImageGrain Image(IGrainFactory grains, string imageId) => ImageEndpoints.Image(grains, imageId);
}

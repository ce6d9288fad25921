using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Folders, their access bindings and their quotas. Each handler parses, calls one grain, returns.</summary>
public static class FolderEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var folders = api.MapGroup("/resource-manager/v1/folders").WithTags("Folders");
        folders.MapPost("", async (HttpContext http, IGrainFactory grains) =>
            Results.Json(await grains.GetGrain<IFolderDirectoryGrain>(0).CreateAsync(http.Caller(),
                await RequestReader.BodyAsync<CreateFolderRequest>(http.Request), RequestReader.IdempotencyKey(http.Request)), ContractJson.Options))
            .Accepts<CreateFolderRequest>("application/json").Produces<Operation>();
        folders.MapGet("", async (HttpContext http, IGrainFactory grains) =>
        {
            var page = await grains.GetGrain<IFolderDirectoryGrain>(0).ListAsync(http.Caller(), RequestReader.ListQuery(http.Request));
            return Results.Json(new { folders = page.Items, nextPageToken = page.NextPageToken }, ContractJson.Options);
        });
        folders.MapGet("/{resource}", async (string resource, HttpContext http, IGrainFactory grains) =>
        {
            var path = ResourcePath.Parse(resource);
            var folder = Folder(grains, path);
            return path.Method switch
            {
                null => Results.Json(await folder.GetAsync(http.Caller()), ContractJson.Options),
                "listAccessBindings" => Results.Json(new { accessBindings = await folder.ListAccessBindingsAsync(http.Caller()) }, ContractJson.Options),
                _ => throw path.UnknownMethod(),
            };
        }).Produces<Folder>();
        folders.MapPost("/{resource}", async (string resource, HttpContext http, IGrainFactory grains) =>
        {
            var path = ResourcePath.Parse(resource);
            var folder = Folder(grains, path);
            var key = RequestReader.IdempotencyKey(http.Request);
            return Results.Json(path.Method switch
            {
                "setAccessBindings" => await folder.SetAccessBindingsAsync(http.Caller(),
                    (await RequestReader.BodyAsync<SetAccessBindingsBody>(http.Request)).AccessBindings ?? throw StratumException.Invalid("accessBindings is required."), key),
                "updateAccessBindings" => await folder.UpdateAccessBindingsAsync(http.Caller(),
                    (await RequestReader.BodyAsync<UpdateAccessBindingsBody>(http.Request)).AccessBindingDeltas ?? throw StratumException.Invalid("accessBindingDeltas is required."), key),
                _ => throw path.UnknownMethod(),
            }, ContractJson.Options);
        }).Produces<Operation>();
        folders.MapPatch("/{folderId}", async (string folderId, HttpContext http, IGrainFactory grains) =>
            Results.Json(await Folder(grains, new ResourcePath(folderId, null)).UpdateAsync(http.Caller(),
                await RequestReader.BodyAsync<UpdateFolderRequest>(http.Request), RequestReader.IdempotencyKey(http.Request)), ContractJson.Options))
            .Accepts<UpdateFolderRequest>("application/json").Produces<Operation>();
        folders.MapDelete("/{folderId}", async (string folderId, HttpContext http, IGrainFactory grains) =>
            Results.Json(await Folder(grains, new ResourcePath(folderId, null)).DeleteAsync(http.Caller(), RequestReader.IdempotencyKey(http.Request)), ContractJson.Options))
            .Produces<Operation>();

        var quotas = api.MapGroup("/compute/v1/folders/{folderId}/quotas").WithTags("Quotas");
        quotas.MapGet("", async (string folderId, HttpContext http, IGrainFactory grains) =>
            Results.Json(new { quotas = await Folder(grains, new ResourcePath(folderId, null)).GetQuotasAsync(http.Caller()) }, ContractJson.Options));
        quotas.MapPatch("", async (string folderId, HttpContext http, IGrainFactory grains) =>
        {
            var body = await RequestReader.BodyAsync<SetQuotasBody>(http.Request);
            var result = await Folder(grains, new ResourcePath(folderId, null)).SetQuotasAsync(http.Caller(), body.Quotas ?? throw StratumException.Invalid("quotas is required."));
            return Results.Json(new { quotas = result }, ContractJson.Options);
        }).Accepts<SetQuotasBody>("application/json");
    }

    private static IFolderGrain Folder(IGrainFactory grains, ResourcePath path) =>
        grains.GetGrain<IFolderGrain>(path.Require(id => ResourceIds.IsValid(id, ResourceIds.Folder) || id == "standard-images", "folder"));
}

public sealed record SetAccessBindingsBody(IReadOnlyList<AccessBinding>? AccessBindings);
public sealed record UpdateAccessBindingsBody(IReadOnlyList<AccessBindingDelta>? AccessBindingDeltas);
public sealed record SetQuotasBody(IReadOnlyList<QuotaLimit>? Quotas);

using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Folders, their access bindings and their quotas. Each handler parses, calls one grain, returns.</summary>
public static class FolderEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var folders = api.MapGroup("/resource-manager/v1/folders").WithTags("Folders");
        folders.MapPost("", async (HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Directory(grains).CreateAsync(http.Caller(), await RequestReader.BodyAsync<CreateFolderRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<CreateFolderRequest>()
            .WithName("CreateFolder").WithSummary("Create a folder").WithDescription("Platform admins only.");
        folders.MapGet("", async (HttpContext http, IGrainFactory grains, [AsParameters] ListParameters list) =>
            TypedResults.Ok(FolderPage.Of(await Directory(grains).ListAsync(http.Caller(), list.ToQuery()))))
            .WithName("ListFolders").WithSummary("List the folders the caller can see");
        folders.MapGet("/{folderId:plain}", async (string folderId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Folder(grains, folderId).GetAsync(http.Caller())))
            .WithName("GetFolder").WithSummary("Get a folder");
        folders.MapPatch("/{folderId:plain}", async (string folderId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Folder(grains, folderId).UpdateAsync(http.Caller(), await RequestReader.BodyAsync<UpdateFolderRequest>(http.Request), idempotency.Value)))
            .AcceptsJson<UpdateFolderRequest>()
            .WithName("UpdateFolder").WithSummary("Change a folder's settings")
            .WithDescription("Its recycle bin: `recycleBin.retentionHours` 0 (off, the default) to 8760. Folder admins.");
        folders.MapDelete("/{folderId:plain}", async (string folderId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Folder(grains, folderId).DeleteAsync(http.Caller(), idempotency.Value)))
            .WithName("DeleteFolder").WithSummary("Delete an empty folder").WithDescription("Refused (400, code 9) while it holds anything, naming what.");
        folders.MapGet("/{folderId}:listAccessBindings", async (string folderId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(new AccessBindingList(await Folder(grains, folderId).ListAccessBindingsAsync(http.Caller()))))
            .WithName("ListFolderAccessBindings").WithSummary("List a folder's access bindings");
        folders.MapPost("/{folderId}:setAccessBindings", async (string folderId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Folder(grains, folderId).SetAccessBindingsAsync(http.Caller(), (await RequestReader.BodyAsync<SetAccessBindingsBody>(http.Request)).Required(), idempotency.Value)))
            .AcceptsJson<SetAccessBindingsBody>()
            .WithName("SetFolderAccessBindings").WithSummary("Replace a folder's access bindings")
            .WithDescription("Admin role needed. Roles: admin, editor, viewer, compute.images.user; subjects userAccount, serviceAccount, system (allAuthenticatedUsers).");
        folders.MapPost("/{folderId}:updateAccessBindings", async (string folderId, HttpContext http, IGrainFactory grains, [AsParameters] IdempotencyHeader idempotency) =>
            TypedResults.Ok(await Folder(grains, folderId).UpdateAccessBindingsAsync(http.Caller(), (await RequestReader.BodyAsync<UpdateAccessBindingsBody>(http.Request)).Required(), idempotency.Value)))
            .AcceptsJson<UpdateAccessBindingsBody>()
            .WithName("UpdateFolderAccessBindings").WithSummary("Add and remove a folder's access bindings")
            .WithDescription("Admin role needed; each delta is {action: ADD|REMOVE, accessBinding}.");

        var quotas = api.MapGroup("/compute/v1/folders/{folderId}/quotas").WithTags("Quotas");
        quotas.MapGet("", async (string folderId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(new QuotaList(await Folder(grains, folderId).GetQuotasAsync(http.Caller()))))
            .WithName("ListQuotas").WithSummary("A folder's quotas and their usage");
        quotas.MapPatch("", async (string folderId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(new QuotaList(await Folder(grains, folderId).SetQuotasAsync(http.Caller(), (await RequestReader.BodyAsync<SetQuotasBody>(http.Request)).Required()))))
            .AcceptsJson<SetQuotasBody>()
            .WithName("SetQuotas").WithSummary("Change a folder's quota limits")
            .WithDescription("Platform admins only; answers with all the folder's quotas (not an operation).");
    }

    private static IFolderDirectoryGrain Directory(IGrainFactory grains) => grains.Cached<IFolderDirectoryGrain>(0);

    private static IFolderGrain Folder(IGrainFactory grains, string folderId) => grains.Cached<IFolderGrain>(RequestIds.Folder(folderId));
}

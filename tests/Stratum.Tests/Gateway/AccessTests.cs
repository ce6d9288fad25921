using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>Who may do what, over HTTP and through the Orleans client: the same decisions.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AccessTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");

    private async Task<(string FolderId, string ImageId)> FolderWithImageAsync()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "base-os", uri = fixture.Files.Add(Names.Unique("a"), DiskImages.Raw(4096)) });
        return (folderId, image.Str("id"));
    }

    /// <summary>Every folder the caller can see, following page tokens (other tests make many folders).</summary>
    private static async Task<List<string>> AllFolderIdsAsync(HttpClient http) =>
        (await http.AllAsync("/resource-manager/v1/folders", "folders")).Select(f => f.Str("id")).ToList();

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    public async Task No_or_an_unknown_token_is_401(string? token)
    {
        var reply = await fixture.Stratum.Http(token).GetReplyAsync("/resource-manager/v1/folders");
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(16, reply.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic eHl6")]
    [InlineData("Bearer not-a-token")]
    public async Task A_401_names_the_scheme_it_takes(string? authorization)
    {
        using var http = fixture.Stratum.Http(null);
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        using var reply = await http.GetAsync("/resource-manager/v1/folders");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Equal("Bearer", Assert.Single(reply.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_authorization_scheme_is_read_in_any_case(string scheme)
    {
        var http = fixture.Stratum.Http(null);
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} dev-admin");

        var reply = await http.GetReplyAsync("/resource-manager/v1/folders");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task A_stranger_sees_nothing_and_changes_nothing()
    {
        var (folderId, imageId) = await FolderWithImageAsync();

        foreach (var path in new[] { $"/resource-manager/v1/folders/{folderId}", $"/compute/v1/images/{imageId}",
            $"/compute/v1/images?folderId={folderId}", $"/compute/v1/images:latestByFamily?folderId={folderId}&family=base-os",
            $"/compute/v1/folders/{folderId}/quotas", $"/compute/v1/images/{imageId}:listAccessBindings" })
        {
            var reply = await _bob.GetReplyAsync(path);
            Assert.True(reply.Status == HttpStatusCode.NotFound && reply.Code == 5, $"{path}: {reply.Status} {reply.Text}");
        }
        var delete = await _bob.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal(HttpStatusCode.NotFound, delete.Status);
        var create = await _bob.PostReplyAsync("/compute/v1/images", new { folderId, imageId });
        Assert.Equal(HttpStatusCode.NotFound, create.Status);
        Assert.Single(await _admin.ListImagesAsync(folderId));
        Assert.DoesNotContain(folderId, await AllFolderIdsAsync(_bob));
    }

    [Fact]
    public async Task A_viewer_reads_but_gets_403_for_changes()
    {
        var (folderId, imageId) = await FolderWithImageAsync();
        await _admin.GrantAsync(folderId, "viewer", "bob");

        Assert.Equal(HttpStatusCode.OK, (await _bob.GetReplyAsync($"/compute/v1/images/{imageId}")).Status);
        Assert.Equal(imageId, (await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=base-os")).Body!.Str("id"));
        Assert.Contains(folderId, await AllFolderIdsAsync(_bob));

        var update = await _bob.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { description = "mine" });
        var deprecate = await _bob.PostReplyAsync($"/compute/v1/images/{imageId}:deprecate", new { state = "DEPRECATED" });
        var delete = await _bob.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        var create = await _bob.PostReplyAsync("/compute/v1/images", new { folderId, imageId });
        var quotas = await _bob.SendAsync(HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", new { quotas = new[] { new { name = "compute.images.count", limit = 99 } } });
        foreach (var reply in new[] { update, deprecate, delete, create, quotas })
        {
            Assert.True(reply.Status == HttpStatusCode.Forbidden && reply.Code == 7, reply.Text);
        }
        var image = (await _admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Body!;
        Assert.Equal("", image.Str("description"));
        Assert.Equal("ACTIVE", image["deprecation"]!.Str("state"));
    }

    [Fact]
    public async Task An_editor_creates_and_changes_images_but_not_bindings()
    {
        var (folderId, imageId) = await FolderWithImageAsync();
        await _admin.GrantAsync(folderId, "editor", "bob");

        var copy = await _bob.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, imageId });
        await _bob.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{copy.Str("id")}", new { description = "by bob" });
        var bindings = await _bob.PostReplyAsync($"/resource-manager/v1/folders/{folderId}:setAccessBindings", new { accessBindings = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.Forbidden, bindings.Status);
        Assert.Equal(2, (await _admin.ListImagesAsync(folderId)).Count);
    }

    [Fact]
    public async Task A_revoked_binding_takes_effect_on_the_next_request()
    {
        var (folderId, imageId) = await FolderWithImageAsync();
        await _admin.GrantAsync(folderId, "viewer", "bob");
        Assert.Equal(HttpStatusCode.OK, (await _bob.GetReplyAsync($"/compute/v1/images/{imageId}")).Status);

        await _admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "REMOVE", accessBinding = new { roleId = "viewer", subject = new { id = "bob", type = "userAccount" } } } },
        });

        Assert.Equal(HttpStatusCode.NotFound, (await _bob.GetReplyAsync($"/compute/v1/images/{imageId}")).Status);
    }

    [Fact]
    public async Task Only_platform_admins_create_folders_and_change_quotas()
    {
        var folder = await _bob.PostReplyAsync("/resource-manager/v1/folders", new { name = Names.Unique("bob") });
        Assert.Equal(HttpStatusCode.Forbidden, folder.Status);

        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "admin", "bob");
        var quotas = await _bob.SendAsync(HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", new { quotas = new[] { new { name = "compute.images.count", limit = 99 } } });
        Assert.Equal(HttpStatusCode.Forbidden, quotas.Status);
        Assert.Equal(HttpStatusCode.OK, (await _bob.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Status);
    }

    [Fact]
    public async Task The_Orleans_client_path_makes_the_same_decisions()
    {
        var (folderId, imageId) = await FolderWithImageAsync();
        var grains = fixture.Stratum.Client;
        var service = Caller.Service("billing");
        using var asService = TestCallers.ActAs(service);

        var hidden = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IImageGrain>(imageId).GetAsync(service));
        Assert.Equal(ErrorCode.NotFound, hidden.Code);

        await _admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId = "viewer", subject = new { id = "billing", type = "serviceAccount" } } } },
        });
        Assert.Equal(imageId, (await grains.GetGrain<IImageGrain>(imageId).GetAsync(service)).Id);
        var denied = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IImageGrain>(imageId).DeleteAsync(service, null));
        Assert.Equal(ErrorCode.PermissionDenied, denied.Code);
        var list = await grains.GetGrain<IImageCatalogGrain>(0).ListAsync(service, folderId, new ListQuery());
        Assert.Equal([imageId], list.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task AllUsers_is_refused_on_images()
    {
        var (_, imageId) = await FolderWithImageAsync();
        var reply = await _admin.PostReplyAsync($"/compute/v1/images/{imageId}:setAccessBindings",
            new { accessBindings = new[] { new { roleId = "compute.images.user", subject = new { id = "allUsers", type = "system" } } } });
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("allUsers", reply.Message);
    }
}

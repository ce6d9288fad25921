using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class CatalogTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    private async Task<JsonNode> ImportAsync(string folderId, object? extra = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["folderId"] = folderId;
        body["uri"] = fixture.Files.Add(Names.Unique("i"), DiskImages.Raw(8192));
        return await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", body);
    }

    private async Task<string?> LatestAsync(string folderId, string family)
    {
        var reply = await _admin.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family={family}");
        return reply.Status == HttpStatusCode.OK ? reply.Body!.Str("id") : null;
    }

    [Fact]
    public async Task Latest_in_family_follows_sequence_deprecation_and_deletion()
    {
        var folderId = await _admin.CreateFolderAsync();
        var first = await ImportAsync(folderId, new { family = "ubuntu-24" });
        var second = await ImportAsync(folderId, new { family = "ubuntu-24" });
        Assert.True(long.Parse(second.Str("familySequence")) > long.Parse(first.Str("familySequence")));
        Assert.Equal(second.Str("id"), await LatestAsync(folderId, "ubuntu-24"));

        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{second.Str("id")}:deprecate", new { state = "DEPRECATED", replacement = first.Str("id") });
        Assert.Equal(first.Str("id"), await LatestAsync(folderId, "ubuntu-24"));

        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{second.Str("id")}:deprecate", new { state = "ACTIVE" });
        Assert.Equal(second.Str("id"), await LatestAsync(folderId, "ubuntu-24"));

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{second.Str("id")}");
        Assert.Equal(first.Str("id"), await LatestAsync(folderId, "ubuntu-24"));

        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{first.Str("id")}:deprecate", new { state = "OBSOLETE" });
        var none = await _admin.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=ubuntu-24");
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Equal(5, none.Code);
    }

    [Fact]
    public async Task An_obsolete_image_is_refused_as_a_source()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId);
        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{image.Str("id")}:deprecate", new { state = "OBSOLETE" });

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = image.Str("id") });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(9, reply.Code);
        Assert.Contains("OBSOLETE", reply.Message);
    }

    [Fact]
    public async Task The_families_list_shows_latest_and_count()
    {
        var folderId = await _admin.CreateFolderAsync();
        await ImportAsync(folderId, new { family = "debian-12" });
        var latest = await ImportAsync(folderId, new { family = "debian-12" });
        await ImportAsync(folderId, new { family = "alpine-3" });

        var reply = await _admin.GetReplyAsync($"/compute/v1/families?folderId={folderId}");

        var families = reply.Body!["families"]!.AsArray();
        Assert.Equal(["alpine-3", "debian-12"], families.Select(f => f!.Str("name")));
        var debian = families[1]!;
        Assert.Equal(latest.Str("id"), debian.Str("latestImageId"));
        Assert.Equal("2", debian.Str("imageCount"));
    }

    [Fact]
    public async Task Update_changes_only_the_allowed_fields_and_keeps_names_unique()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId, new { name = "one", labels = new Dictionary<string, string> { ["a"] = "1" } });
        await ImportAsync(folderId, new { name = "two" });

        var updated = await _admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}",
            new { name = "renamed", description = "new", labels = new Dictionary<string, string> { ["b"] = "2" } });
        Assert.Equal("renamed", updated.Str("name"));
        Assert.Equal("new", updated.Str("description"));
        Assert.Equal("{\"b\":\"2\"}", updated["labels"]!.ToJsonString());

        var clash = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { name = "two" });
        Assert.Equal(HttpStatusCode.Conflict, clash.Status);
        Assert.Equal(6, clash.Code);

        var family = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { family = "other" });
        Assert.Equal(HttpStatusCode.BadRequest, family.Status);
        Assert.Contains("family", family.Message);

        // The old name is free again; the new one is taken.
        await ImportAsync(folderId, new { name = "one" });
        var taken = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, name = "renamed", uri = fixture.Files.Add(Names.Unique("x"), DiskImages.Raw(512)) });
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
    }

    [Fact]
    public async Task Quotas_refuse_with_429_before_anything_is_created_and_free_up_on_delete()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.images.count", 1);
        var image = await ImportAsync(folderId);

        var refused = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("q"), DiskImages.Raw(512)) });
        Assert.Equal((HttpStatusCode)429, refused.Status);
        Assert.Equal(8, refused.Code);
        Assert.Contains("compute.images.count", refused.Message);
        Assert.Single(await _admin.ListImagesAsync(folderId));

        var pooled = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, pooled = true, imageId = image.Str("id") });
        Assert.Equal((HttpStatusCode)429, pooled.Status);
        Assert.Contains("compute.images.count", pooled.Message);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{image.Str("id")}");
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        var count = quotas.Single(q => q!.Str("name") == "compute.images.count")!;
        Assert.Equal("0", count.Str("usage"));
        Assert.Equal("1", count.Str("limit"));
        Assert.Equal("0", quotas.Single(q => q!.Str("name") == "compute.images.size")!.Str("usage"));
        await ImportAsync(folderId);
    }

    [Fact]
    public async Task Pooled_images_need_the_disk_pools_quota_which_is_zero_by_default()
    {
        var folderId = await _admin.CreateFolderAsync();
        var source = await ImportAsync(folderId);

        var refused = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, pooled = true, imageId = source.Str("id") });
        Assert.Equal((HttpStatusCode)429, refused.Status);
        Assert.Contains("compute.diskPools.count", refused.Message);

        await _admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        var pooled = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, pooled = true, imageId = source.Str("id") });
        Assert.True(pooled["pooled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_operation_and_a_different_body_is_409()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add(Names.Unique("k"), DiskImages.Raw(4096));
        var key = Names.Unique("key");

        var first = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, name = "once" }, key);
        var again = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, name = "once" }, key);
        var other = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, name = "twice" }, key);

        Assert.Equal(first.Body!.Str("id"), again.Body!.Str("id"));
        Assert.Equal(HttpStatusCode.Conflict, other.Status);
        Assert.Equal(10, other.Code);
        await _admin.WaitAsync(first.Body!);
        Assert.Single(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task Lists_page_filter_and_order()
    {
        var folderId = await _admin.CreateFolderAsync();
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
        {
            await ImportAsync(folderId, new { name, family = name == "a" || name == "b" ? "fam-ab" : null });
        }

        var names = (await _admin.AllAsync($"/compute/v1/images?folderId={folderId}&orderBy=name", "images", pageSize: 2)).Select(i => i.Str("name"));
        Assert.Equal(["a", "b", "c", "d", "e"], names);

        var filtered = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=" + Uri.EscapeDataString("family = 'fam-ab' AND name != 'a'"));
        Assert.Equal(["b"], filtered.Body!["images"]!.AsArray().Select(i => i!.Str("name")));

        var newest = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&orderBy=" + Uri.EscapeDataString("createdAt desc"));
        Assert.Equal(["d", "b", "e", "a", "c"], newest.Body!["images"]!.AsArray().Select(i => i!.Str("name")));

        var bad = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=" + Uri.EscapeDataString("owner = 'x'"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("owner", bad.Message);
    }

    [Fact]
    public async Task A_rename_of_the_list_rows_repeated_after_a_crash_leaves_one_row_per_ordering()
    {
        var folderId = await _admin.CreateFolderAsync();
        var kept = await ImportAsync(folderId, new { name = "b" });
        var renamedId = (await ImportAsync(folderId, new { name = "a" })).Str("id");
        var index = fixture.Stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<Stratum.Index.ResourceIndex>();
        Image previous;
        using (BearerToken.Use("dev-admin"))
        {
            previous = await fixture.Stratum.Client.GetGrain<IImageGrain>(renamedId).GetAsync(Caller.User("admin"));
        }
        var renamed = previous with { Name = "c", CreatedAt = previous.CreatedAt.AddTicks(1) };

        // The second time, the rows the first one deleted are gone: the rows are written all the same.
        await index.UpsertImageAsync(renamed, previous, []);
        await index.UpsertImageAsync(renamed, previous, []);

        foreach (var (orderBy, expected) in new[] { ("name", new[] { "b", "c" }), ("createdAt asc", ["b", "c"]), ("createdAt desc", ["c", "b"]) })
        {
            var listed = await _admin.AllAsync($"/compute/v1/images?folderId={folderId}&orderBy=" + Uri.EscapeDataString(orderBy), "images", pageSize: 1);
            Assert.Equal(expected, listed.Select(i => i.Str("name")));
        }
        var byId = await _admin.AllAsync($"/compute/v1/images?folderId={folderId}", "images", pageSize: 1);
        Assert.Equal(new[] { kept.Str("id"), renamedId }.Order(StringComparer.Ordinal), byId.Select(i => i.Str("id")));
    }

    [Fact]
    public async Task Operations_are_listed_per_image_and_readable_by_id()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId);
        await _admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { description = "x" });

        var operations = (await _admin.GetReplyAsync($"/compute/v1/images/{image.Str("id")}/operations")).Body!["operations"]!.AsArray();

        Assert.Equal(2, operations.Count);
        Assert.All(operations, o => Assert.True(o!["done"]!.GetValue<bool>()));
        Assert.Equal("userAccount:admin", operations[0]!.Str("createdBy"));
        Assert.EndsWith("Z", operations[0]!.Str("createdAt"));
    }

    [Fact]
    public async Task Deleting_a_folder_is_refused_while_it_holds_images()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId);

        var refused = await _admin.SendAsync(HttpMethod.Delete, $"/resource-manager/v1/folders/{folderId}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(9, refused.Code);
        Assert.Contains("1 (compute.images.count)", refused.Message);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{image.Str("id")}");
        await _admin.DoneAsync(HttpMethod.Delete, $"/resource-manager/v1/folders/{folderId}");
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}")).Status);
    }

    [Fact]
    public async Task The_gateway_publishes_its_OpenAPI_document_and_a_reference_page()
    {
        var anonymous = fixture.Stratum.Http(token: null);
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/compute/v1/images", document);
        Assert.Contains("/resource-manager/v1/folders", document);
        var page = await anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/docs/v1")).StatusCode);
        // Another name would be a page whose document (/openapi/index.html.json) does not exist.
        var other = await anonymous.GetReplyAsync("/docs/index.html");
        Assert.True(other.Status == HttpStatusCode.NotFound && other.Code == 5, other.Text);
        // Its assets are relative: under /docs/v1/ they would not be found.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetReplyAsync("/docs/v1/")).Status);
        // No other document exists: a 404 in the API's own shape, whatever the method.
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            var missing = await anonymous.SendAsync(method, "/openapi/v2.json");
            Assert.True(missing.Status == HttpStatusCode.NotFound && missing.Code == 5, missing.Text);
        }
    }
}

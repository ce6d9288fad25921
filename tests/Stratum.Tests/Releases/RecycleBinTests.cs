using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>
/// The recycle bin: a DELETE moves the image there (still holding name, quota and layer), the bin
/// lists it, :restore brings it back with its id and family position, and after the retention it
/// is purged, its quota and layer given back exactly once; a restore racing the purge ends in one.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class RecycleBinTests(ReleaseFixture fixture)
{
    private async Task<JsonNode> QuotasAsync(string folderId) => (await fixture.Admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!;

    private async Task<(long Count, long Size, long Pools)> ImageUsageAsync(string folderId)
    {
        var quotas = await QuotasAsync(folderId);
        return (ReleaseFixture.Usage(quotas, "compute.images.count"), ReleaseFixture.Usage(quotas, "compute.images.size"), ReleaseFixture.Usage(quotas, "compute.diskPools.count"));
    }

    private async Task<(long References, IReadOnlyList<string> Images, string Status)> LayerAsync(string layerId)
    {
        var layer = (await fixture.Admin.GetReplyAsync($"/compute/v1/layers/{layerId}")).Body!;
        return (long.Parse(layer.Str("referenceCount"), System.Globalization.CultureInfo.InvariantCulture), layer["imageIds"]!.AsArray().Select(i => i!.GetValue<string>()).ToList(), layer.Str("status"));
    }

    private async Task<List<JsonNode>> BinAsync(string folderId)
    {
        var reply = await fixture.Admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&view=RECYCLE_BIN");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return reply.Body!["images"]!.AsArray().Select(i => i!).ToList();
    }

    private async Task<string> BinnedFolderAsync(int retentionHours = 24)
    {
        var folderId = await fixture.FolderAsync();
        await fixture.Admin.SetQuotaAsync(folderId, "compute.diskPools.count", 4);
        var folder = await fixture.Admin.DoneAsync(HttpMethod.Patch, $"/resource-manager/v1/folders/{folderId}", new { recycleBin = new { retentionHours } });
        Assert.Equal(retentionHours, folder["recycleBin"]!["retentionHours"]!.GetValue<int>());
        return folderId;
    }

    [Fact]
    public async Task Delete_list_restore_and_purge_keep_quota_and_layer_counts_exact_at_each_step()
    {
        var folderId = await BinnedFolderAsync();
        var older = (await fixture.ImportAsync(folderId, "binned", pooled: true, name: "older")).Str("id");
        var image = await fixture.ImportAsync(folderId, "binned", pooled: true, name: "kept-name");
        var (imageId, layerId, size) = (image.Str("id"), image.Str("layerId"), long.Parse(image.Str("storageSize"), System.Globalization.CultureInfo.InvariantCulture));
        var disk = await fixture.Admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 8L << 20, imageId });
        var held = await ImageUsageAsync(folderId);
        Assert.Equal((2, 2 * size, 2), held);
        Assert.Equal(2, (await LayerAsync(layerId)).References);

        // DELETE: into the bin. Out of the list, latest, families and watches; still readable, holding everything.
        await using var watch = await EventStream.OpenAsync(fixture.Bob, $"/compute/v1/images:watchFamily?folderId={folderId}&family=binned");
        Assert.Equal(imageId, (await watch.NextAsync())!.Json["image"]!.Str("id"));
        await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal(older, (await watch.NextAsync())!.Json["image"]!.Str("id"));
        var data = fixture.Stratum.Cluster.GetSiloServiceProvider(fixture.Stratum.Cluster.Silos[0].SiloAddress).GetRequiredService<Stratum.Images.ImageData>();
        Assert.True(await (await data.BlobAsync(imageId)).ExistsAsync());
        var binned = await fixture.ImageAsync(imageId);
        Assert.Equal("DELETED", binned.Str("status"));
        Assert.NotNull(binned["deletedAt"]);
        Assert.Equal(ReleaseFixture.Time(DateTimeOffset.Parse(binned.Str("deletedAt"), System.Globalization.CultureInfo.InvariantCulture).AddHours(24)), binned.Str("purgeAt"));
        Assert.DoesNotContain(await fixture.Admin.ListImagesAsync(folderId), i => i.Str("id") == imageId);
        Assert.Equal([imageId], (await BinAsync(folderId)).Select(i => i.Str("id")));
        Assert.Equal(older, await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "binned"));
        Assert.Equal("1", (await fixture.Admin.GetReplyAsync($"/compute/v1/families?folderId={folderId}")).Body!["families"]![0]!.Str("imageCount"));
        Assert.Equal(held, await ImageUsageAsync(folderId));
        var holding = await LayerAsync(layerId);
        Assert.Equal((2L, imageId), (holding.References, Assert.Single(holding.Images)));
        var sameName = await fixture.Admin.PostReplyAsync("/compute/v1/images", new { folderId, name = "kept-name", uri = fixture.Files.Add(Names.Unique("n"), DiskImages.Raw(8192)) });
        Assert.Equal((HttpStatusCode.Conflict, 6), (sameName.Status, sameName.Code));
        var asSource = await fixture.Admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 8L << 20, imageId });
        Assert.Equal((HttpStatusCode.BadRequest, 9), (asSource.Status, asSource.Code));
        var again = await fixture.Admin.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal((HttpStatusCode.BadRequest, 9), (again.Status, again.Code));
        // The time as every answer writes it (RFC 3339, UTC), not .NET's round-trip form with "+00:00".
        Assert.Contains($"in the recycle bin until {binned.Str("purgeAt")};", again.Message);
        var patch = await fixture.Admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { description = "x" });
        Assert.Equal((HttpStatusCode.BadRequest, 9), (patch.Status, patch.Code));

        // :restore: the same id, back at its family position (latest again), nothing counted twice.
        var bobRestore = await fixture.Bob.PostReplyAsync($"/compute/v1/images/{imageId}:restore", new { });
        Assert.Equal((HttpStatusCode.Forbidden, 7), (bobRestore.Status, bobRestore.Code));
        var restored = await fixture.Admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:restore");
        Assert.Equal(("READY", image.Str("familySequence")), (restored.Str("status"), restored.Str("familySequence")));
        Assert.Null(restored["deletedAt"]);
        await ReleaseFixture.EventuallyAsync(async () => await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "binned") == imageId, "restored image is latest again");
        Assert.Contains(await fixture.Admin.ListImagesAsync(folderId), i => i.Str("id") == imageId);
        Assert.Empty(await BinAsync(folderId));
        Assert.Equal(held, await ImageUsageAsync(folderId));
        Assert.Equal(2, (await LayerAsync(layerId)).References);
        var notBinned = await fixture.Admin.PostReplyAsync($"/compute/v1/images/{imageId}:restore", new { });
        Assert.Equal((HttpStatusCode.BadRequest, 9), (notBinned.Status, notBinned.Code));

        // Into the bin again, and past the retention: purged. Data, quota, name and the image's hold on the layer go, once.
        await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        fixture.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal("DELETED", (await fixture.ImageAsync(imageId)).Str("status"));
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await ReleaseFixture.EventuallyAsync(async () => (await fixture.Admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Status == HttpStatusCode.NotFound, "purged after retention");
        Assert.Empty(await BinAsync(folderId));
        Assert.False(await (await data.BlobAsync(imageId)).ExistsAsync());
        Assert.Equal((1, size, 1), await ImageUsageAsync(folderId));
        var layer = await LayerAsync(layerId);
        Assert.Equal((1L, 0, "READY"), (layer.References, layer.Images.Count, layer.Status));
        var late = await fixture.Admin.PostReplyAsync($"/compute/v1/images/{imageId}:restore", new { });
        Assert.Equal(HttpStatusCode.NotFound, late.Status);
        await fixture.Admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, name = "kept-name", uri = fixture.Files.Add(Names.Unique("n"), DiskImages.Raw(8192)) });

        // The disk made from it lived on off the layer; deleting it frees the layer.
        await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/disks/{disk.Str("id")}");
        await ReleaseFixture.EventuallyAsync(async () => (await LayerAsync(layerId)) is { References: 0, Status: "FREED" }, "the layer is freed once nothing holds it");
    }

    [Fact]
    public async Task Without_a_recycle_bin_a_delete_is_final_and_folder_settings_follow_the_rules()
    {
        var folderId = await fixture.FolderAsync();
        var folder = (await fixture.Admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}")).Body!;
        Assert.Equal(0, folder["recycleBin"]!["retentionHours"]!.GetValue<int>());
        var imageId = await fixture.ImportIdAsync(folderId, null);
        await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Status);

        await fixture.Admin.GrantAsync(folderId, "editor", "alice");
        var alice = fixture.Stratum.Http("dev-alice");
        var path = $"/resource-manager/v1/folders/{folderId}";
        var cases = new (HttpClient Who, object Body, HttpStatusCode Status, int Code)[]
        {
            (alice, new { recycleBin = new { retentionHours = 24 } }, HttpStatusCode.Forbidden, 7),
            (fixture.Stratum.Http("dev-bob"), new { recycleBin = new { retentionHours = 24 } }, HttpStatusCode.Forbidden, 7),
            (fixture.Admin, new { recycleBin = new { retentionHours = -1 } }, HttpStatusCode.BadRequest, 3),
            (fixture.Admin, new { recycleBin = new { retentionHours = 100000 } }, HttpStatusCode.BadRequest, 3),
            (fixture.Admin, new { }, HttpStatusCode.BadRequest, 3),
            (fixture.Admin, new { name = "renamed" }, HttpStatusCode.BadRequest, 3),
        };
        foreach (var (who, body, status, code) in cases)
        {
            var reply = await who.SendAsync(HttpMethod.Patch, path, body);
            Assert.True(reply.Status == status && reply.Code == code, $"{System.Text.Json.JsonSerializer.Serialize(body)}: {reply.Status} {reply.Text}");
        }
        Assert.Equal(0, (await fixture.Admin.GetReplyAsync(path)).Body!["recycleBin"]!["retentionHours"]!.GetValue<int>());
        var badView = await fixture.Admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&view=TRASH");
        Assert.Equal((HttpStatusCode.BadRequest, 3), (badView.Status, badView.Code));
        var stranger = await fixture.Stratum.Http("dev-alice").GetReplyAsync($"/compute/v1/images?folderId={await fixture.Admin.CreateFolderAsync()}&view=RECYCLE_BIN");
        Assert.Equal(HttpStatusCode.NotFound, stranger.Status);

        // A folder admin (not only a platform admin) may turn it on.
        await fixture.Admin.GrantAsync(folderId, "admin", "alice");
        await alice.DoneAsync(HttpMethod.Patch, path, new { recycleBin = new { retentionHours = 1 } });
        var second = await fixture.ImportIdAsync(folderId, null);
        await alice.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{second}");
        Assert.Equal("DELETED", (await fixture.ImageAsync(second)).Str("status"));
    }

    [Fact]
    public async Task A_restore_racing_the_purge_ends_in_exactly_one_of_the_two_with_counts_exact()
    {
        var folderId = await BinnedFolderAsync(retentionHours: 1);
        await fixture.Admin.SetQuotaAsync(folderId, "compute.images.count", 64);
        var images = new List<(string Id, string LayerId, long Size)>();
        for (var i = 0; i < 12; i++)
        {
            var image = await fixture.ImportAsync(folderId, "race", pooled: i % 3 == 0);
            images.Add((image.Str("id"), image["layerId"]?.GetValue<string>() ?? "", long.Parse(image.Str("storageSize"), System.Globalization.CultureInfo.InvariantCulture)));
        }
        foreach (var (id, _, _) in images)
        {
            await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{id}");
        }
        // The purges come due together while the restores are being sent, a few milliseconds apart.
        var restores = Task.Run(async () =>
        {
            var sent = new List<Task<Api.Reply>>();
            foreach (var image in images)
            {
                sent.Add(fixture.Admin.PostReplyAsync($"/compute/v1/images/{image.Id}:restore", new { }));
                await Task.Delay(3);
            }
            return await Task.WhenAll(sent);
        });
        await Task.Delay(15);
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        var outcomes = await restores;

        var restored = new List<(string Id, string LayerId, long Size)>();
        foreach (var (image, reply) in images.Zip(outcomes))
        {
            var final = await fixture.Admin.GetReplyAsync($"/compute/v1/images/{image.Id}");
            if (reply.Status == HttpStatusCode.OK && (await fixture.Admin.WaitAsync(reply.Body!))["error"] is null)
            {
                Assert.Equal("READY", final.Body!.Str("status"));
                restored.Add(image);
            }
            else
            {
                // The purge won: the restore was refused (400 code 9 while purging, 404 after) and the image is gone.
                await ReleaseFixture.EventuallyAsync(async () => (await fixture.Admin.GetReplyAsync($"/compute/v1/images/{image.Id}")).Status == HttpStatusCode.NotFound,
                    $"{image.Id} purged");
            }
        }
        Console.WriteLine($"restore vs purge: {restored.Count} of {images.Count} restored, the others purged");
        Assert.Empty(await BinAsync(folderId));
        Assert.Equal((restored.Count, restored.Sum(r => r.Size), restored.Count(r => r.LayerId.Length > 0)), await ImageUsageAsync(folderId));
        foreach (var (id, layerId, _) in images.Where(i => i.LayerId.Length > 0))
        {
            var layer = (await fixture.Admin.GetReplyAsync($"/compute/v1/layers/{layerId}")).Body!;
            var kept = restored.Any(r => r.Id == id);
            Assert.Equal(kept ? "1" : "0", layer.Str("referenceCount"));
            Assert.Equal(kept ? "READY" : "FREED", layer.Str("status"));
        }
        // Nothing is given back twice: a second purge pass (the reminder) changes nothing.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal((restored.Count, restored.Sum(r => r.Size), restored.Count(r => r.LayerId.Length > 0)), await ImageUsageAsync(folderId));
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Stratum.Images;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// An instance whose boot disk names a family of pooled images: the server resolves the family's
/// latest, the boot disk shares that image's base layer (copying nothing), and the layers' reference
/// counts move by exactly the one disk, on creation and on deletion.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class PooledFamilyInstanceTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    private async Task<JsonNode> PooledImageAsync(string folderId, string family, int bytes) =>
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family, pooled = true, uri = fixture.Files.Add(Names.Unique("pooled"), DiskImages.Raw(bytes)) });

    private async Task<long> ReferencesAsync(string layerId)
    {
        var layer = await _admin.GetReplyAsync($"/compute/v1/layers/{layerId}");
        Assert.True(layer.Status == HttpStatusCode.OK, layer.Text);
        return long.Parse(layer.Body!.Str("referenceCount"), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task An_instance_from_a_pooled_family_boots_from_the_latest_images_layer_and_the_counts_are_exact()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.diskPools.count", 2);
        // Different sizes, so different content and two layers.
        var older = await PooledImageAsync(folderId, "fleet", 48 * 1024);
        var latest = await PooledImageAsync(folderId, "fleet", 64 * 1024);
        var (olderLayer, latestLayer) = (older.Str("layerId"), latest.Str("layerId"));
        Assert.NotEqual(olderLayer, latestLayer);
        var (olderBefore, latestBefore) = (await ReferencesAsync(olderLayer), await ReferencesAsync(latestLayer));
        var copied = fixture.Stratum.SiloService<ImageData>();
        var copiedBefore = copied.BytesCopied;

        var instance = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new
        {
            folderId,
            name = Names.Unique("web"),
            bootDiskSpec = new { autoDelete = true, diskSpec = new { size = 1L << 30, family = new { folderId, name = "fleet" } } },
        });

        var diskId = instance["bootDisk"]!.Str("diskId");
        var disk = (await _admin.GetReplyAsync($"/compute/v1/disks/{diskId}")).Body!;
        Assert.Equal((latest.Str("id"), latestLayer), (disk.Str("sourceImageId"), disk.Str("layerId")));
        Assert.Equal(latestBefore + 1, await ReferencesAsync(latestLayer));
        Assert.Equal(olderBefore, await ReferencesAsync(olderLayer));
        // The gateway tests run one at a time, and the counter is this cluster's silo's own.
        Assert.Equal(0, copied.BytesCopied - copiedBefore);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{instance.Str("id")}");

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetReplyAsync($"/compute/v1/disks/{diskId}")).Status);
        // The layer hears of the freed reference from the disk's shard; it settles at exactly the count before.
        await Wait.UntilAsync(async () => await ReferencesAsync(latestLayer) <= latestBefore, what: "the latest layer's count dropping back");
        Assert.Equal(latestBefore, await ReferencesAsync(latestLayer));
        Assert.Equal(olderBefore, await ReferencesAsync(olderLayer));
    }
}

using System.Net;
using Azure.Storage.Blobs.Specialized;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Uploads;

/// <summary>A cluster whose upload URLs live 3 seconds: expiry of both URLs, and the reminder that cleans up.</summary>
public sealed class UploadExpiryTests : IAsyncLifetime
{
    private StratumCluster _stratum = null!;

    public async Task InitializeAsync() =>
        _stratum = await StratumCluster.StartAsync(extra: new Dictionary<string, string?> { ["Stratum:Uploads:UrlLifetime"] = "00:00:03" });

    public async Task DisposeAsync() => await _stratum.DisposeAsync();

    [Fact]
    public async Task An_expired_upload_url_writes_nothing_cannot_be_used_and_its_staging_blob_is_removed()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var committed = await admin.PrepareAsync(folderId);
        var uncommitted = await admin.PrepareAsync(folderId);
        await Staged.PutAsync(committed.Str("uploadUrl"), DiskImages.Raw(2 << 20));
        await Staged.PutAsync(uncommitted.Str("uploadUrl"), DiskImages.Raw(2 << 20), commit: false);
        var staging = _stratum.Staging();
        Assert.True(await staging.ExistsAsync(committed.Str("uploadId")));
        Assert.True(await staging.ExistsAsync(uncommitted.Str("uploadId")));
        var expiresAt = DateTimeOffset.Parse(committed.Str("expiresAt"), System.Globalization.CultureInfo.InvariantCulture);
        await Wait.UntilAsync(() => DateTimeOffset.UtcNow > expiresAt, seconds: 60, what: "the upload's expiry", pollMilliseconds: 100);

        var late = new BlockBlobClient(new Uri(committed.Str("uploadUrl")));
        Assert.Equal(403, await Staged.StatusOfAsync(() => late.StageBlockAsync(Convert.ToBase64String(new byte[8]), new MemoryStream(new byte[512]))));
        var create = await admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = committed.Str("uploadId") });
        Assert.Equal(HttpStatusCode.BadRequest, create.Status);
        Assert.Equal(9, create.Code);
        Assert.Contains("expired", create.Message);

        // The upload's reminder is due at expiry; nothing here calls it.
        await Wait.UntilAsync(async () => !await staging.ExistsAsync(committed.Str("uploadId")) && !await staging.ExistsAsync(uncommitted.Str("uploadId")),
            seconds: 60, what: "the expired uploads' removal", pollMilliseconds: 100);
        Assert.Equal(9, (await admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = committed.Str("uploadId") })).Code);
        Assert.Empty(await admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task An_export_url_stops_reading_when_it_expires()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var file = DiskImages.Raw(8192);
        var image = (await admin.CreateFromUploadAsync(folderId, file))["response"]!;
        var export = (await admin.PostReplyAsync($"/compute/v1/images/{image.Str("id")}:export", new { ttlSeconds = 2 })).Body!;
        using var http = new HttpClient();
        Assert.Equal(file, await http.GetByteArrayAsync(export.Str("url")));

        var expiresAt = DateTimeOffset.Parse(export.Str("expiresAt"), System.Globalization.CultureInfo.InvariantCulture);
        await Wait.UntilAsync(() => DateTimeOffset.UtcNow > expiresAt.AddSeconds(1), seconds: 60, what: "the export's expiry", pollMilliseconds: 100);

        using var response = await http.GetAsync(export.Str("url"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

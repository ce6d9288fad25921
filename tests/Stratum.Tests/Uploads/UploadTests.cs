using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Specialized;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Uploads;

/// <summary>images:prepareUpload, the uploadId source and :export over real HTTP and a real blob store.</summary>
[Collection(GatewayCollection.Name)]
public sealed class UploadTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");

    [Fact]
    public async Task An_uploaded_file_becomes_an_image_with_its_checksum_and_the_staging_blob_goes()
    {
        var folderId = await _admin.CreateFolderAsync();
        var file = DiskImages.Qcow2(32 * DiskImages.MiB);
        var target = await _admin.PrepareAsync(folderId, file.Length);
        Assert.StartsWith("upl", target.Str("uploadId"));
        Assert.True(DateTimeOffset.Parse(target.Str("expiresAt"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(1));
        await Staged.PutAsync(target.Str("uploadUrl"), file);
        Assert.True(await fixture.Stratum.Staging().ExistsAsync(target.Str("uploadId")));

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, name = "uploaded", uploadId = target.Str("uploadId") })).Body!);

        var image = done["response"]!;
        Assert.Equal("READY", image.Str("status"));
        Assert.Equal("QCOW2", image.Str("format"));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(file)), image.Str("checksum"));
        Assert.Equal(file.Length.ToString(), image.Str("storageSize"));
        Assert.Equal((32 * DiskImages.MiB).ToString(), image.Str("minDiskSize"));
        Assert.False(await fixture.Stratum.Staging().ExistsAsync(target.Str("uploadId")));
        var again = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = target.Str("uploadId") });
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal(9, again.Code);
        Assert.Contains("already used", again.Message);
    }

    [Fact]
    public async Task The_upload_url_writes_but_cannot_read_and_the_export_url_reads_but_cannot_write()
    {
        var folderId = await _admin.CreateFolderAsync();
        var file = DiskImages.Raw(3 << 20);
        var target = await _admin.PrepareAsync(folderId);
        await Staged.PutAsync(target.Str("uploadUrl"), file);
        var upload = Staged.Blob(target.Str("uploadUrl"));
        Assert.Equal(403, await Staged.StatusOfAsync(() => upload.DownloadContentAsync()));
        Assert.Equal(403, await Staged.StatusOfAsync(() => upload.GetPropertiesAsync()));
        Assert.Equal(403, await Staged.StatusOfAsync(() => upload.DeleteAsync()));
        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = target.Str("uploadId") })).Body!);
        var imageId = done["response"]!.Str("id");

        var export = await _admin.PostReplyAsync($"/compute/v1/images/{imageId}:export", new { ttlSeconds = 600 });

        Assert.Equal(HttpStatusCode.OK, export.Status);
        Assert.Equal(file.Length.ToString(), export.Body!.Str("size"));
        Assert.Equal("RAW", export.Body!.Str("format"));
        Assert.Equal(done["response"]!.Str("checksum"), export.Body!.Str("checksum"));
        var url = export.Body!.Str("url");
        using var http = new HttpClient();
        Assert.Equal(file, await http.GetByteArrayAsync(url));
        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(file[1000..2000], await partial.Content.ReadAsByteArrayAsync());
        var exported = new BlockBlobClient(new Uri(url));
        Assert.Equal(403, await Staged.StatusOfAsync(() => exported.UploadAsync(new MemoryStream(new byte[512]))));
        Assert.Equal(403, await Staged.StatusOfAsync(() => exported.DeleteAsync()));
        Assert.Equal(file, await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task An_export_without_a_body_lasts_an_hour()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.CreateFromUploadAsync(folderId, DiskImages.Raw(8192)))["response"]!;

        using var response = await _admin.PostAsync($"/compute/v1/images/{image.Str("id")}:export", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var expiresAt = DateTimeOffset.Parse(body.Str("expiresAt"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Uploaded_bytes_go_through_the_inspector_and_a_refused_file_leaves_no_staging_blob()
    {
        var folderId = await _admin.CreateFolderAsync();
        var target = await _admin.PrepareAsync(folderId);
        await Staged.PutAsync(target.Str("uploadUrl"), DiskImages.Gzip());

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = target.Str("uploadId") })).Body!);

        Assert.Equal(3, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("gzip", done["error"]!.Str("message"));
        var imageId = done["metadata"]!.Str("imageId");
        Assert.Equal("ERROR", (await _admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Body!.Str("status"));
        Assert.False(await fixture.Stratum.Staging().ExistsAsync(target.Str("uploadId")));
    }

    [Fact]
    public async Task Blocks_put_but_never_committed_fail_the_create_with_a_clear_error()
    {
        var folderId = await _admin.CreateFolderAsync();
        var target = await _admin.PrepareAsync(folderId);
        await Staged.PutAsync(target.Str("uploadUrl"), DiskImages.Raw(2 << 20), commit: false);

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = target.Str("uploadId") })).Body!);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("commit the block list", done["error"]!.Str("message"));
        Assert.False(await fixture.Stratum.Staging().ExistsAsync(target.Str("uploadId")));
    }

    [Fact]
    public async Task The_size_quota_is_checked_when_preparing_and_taken_before_the_import_reads_the_upload()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.images.size", 1 << 20);
        var file = DiskImages.Raw(2 << 20);

        var early = await _admin.PostReplyAsync("/compute/v1/images:prepareUpload", new { folderId, size = file.Length });
        Assert.Equal(HttpStatusCode.TooManyRequests, early.Status);
        Assert.Equal(8, early.Code);
        Assert.Contains("compute.images.size", early.Message);

        var done = await _admin.CreateFromUploadAsync(folderId, file, new { name = "too-big" }, declareSize: false);
        Assert.Equal(8, done["error"]!["code"]!.GetValue<int>());
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("0", quotas.Single(q => q!.Str("name") == "compute.images.size")!.Str("usage"));
    }

    [Fact]
    public async Task Upload_requests_are_refused_in_the_contract_shape()
    {
        var folderId = await _admin.CreateFolderAsync();
        var cases = new (object Body, HttpStatusCode Status, int Code, string Text)[]
        {
            (new { }, HttpStatusCode.BadRequest, 3, "folderId"),
            (new { folderId, size = -1 }, HttpStatusCode.BadRequest, 3, "size"),
            (new { folderId, size = 1L << 40 }, HttpStatusCode.BadRequest, 3, "import limit"),
            (new { folderId, color = "red" }, HttpStatusCode.BadRequest, 3, "color"),
            (new { folderId = "fldnosuchfolder00000" }, HttpStatusCode.NotFound, 5, "folder"),
        };
        foreach (var (body, status, code, text) in cases)
        {
            var reply = await _admin.PostReplyAsync("/compute/v1/images:prepareUpload", body);
            Assert.True(reply.Status == status && reply.Code == code, $"{System.Text.Json.JsonSerializer.Serialize(body)}: {reply.Status} {reply.Text}");
            Assert.Contains(text, reply.Message);
        }
        var malformed = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = "nope" });
        Assert.Equal(3, malformed.Code);
        var unknown = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = "uplaaaaaaaaaaaaaaaaa" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var two = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = "uplaaaaaaaaaaaaaaaaa", uri = "http://127.0.0.1/x" });
        Assert.Equal(3, two.Code);
        var windows = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = "uplaaaaaaaaaaaaaaaaa", os = new { type = "WINDOWS" } });
        Assert.Equal(3, windows.Code);
        Assert.Empty(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task Uploads_need_the_right_to_create_images_and_belong_to_who_prepared_them()
    {
        var folderId = await _admin.CreateFolderAsync();
        var stranger = await _bob.PostReplyAsync("/compute/v1/images:prepareUpload", new { folderId });
        Assert.Equal(HttpStatusCode.NotFound, stranger.Status);
        await _admin.GrantAsync(folderId, "viewer", "bob");
        var viewer = await _bob.PostReplyAsync("/compute/v1/images:prepareUpload", new { folderId });
        Assert.Equal(HttpStatusCode.Forbidden, viewer.Status);
        Assert.Equal(7, viewer.Code);

        await _admin.GrantAsync(folderId, "editor", "bob");
        var admins = await _admin.PrepareAsync(folderId);
        await Staged.PutAsync(admins.Str("uploadUrl"), DiskImages.Raw(8192));
        var taken = await _bob.PostReplyAsync("/compute/v1/images", new { folderId, uploadId = admins.Str("uploadId") });
        Assert.Equal(HttpStatusCode.NotFound, taken.Status);

        var otherFolder = await _admin.CreateFolderAsync();
        var elsewhere = await _admin.PostReplyAsync("/compute/v1/images", new { folderId = otherFolder, uploadId = admins.Str("uploadId") });
        Assert.Equal(3, elsewhere.Code);
        Assert.Contains("prepared for folder", elsewhere.Message);
        Assert.Empty(await _admin.ListImagesAsync(otherFolder));

        var bobs = await _bob.CreateFromUploadAsync(folderId, DiskImages.Raw(8192));
        Assert.Equal("READY", bobs["response"]!.Str("status"));
    }

    [Fact]
    public async Task Export_needs_read_access_and_refuses_images_with_product_ids()
    {
        var folderId = await _admin.CreateFolderAsync();
        var plain = (await _admin.CreateFromUploadAsync(folderId, DiskImages.Raw(8192)))["response"]!.Str("id");
        var licensed = (await _admin.CreateFromUploadAsync(folderId, DiskImages.Raw(8192), new { productIds = new[] { "winsrv2022" } }))["response"]!.Str("id");

        Assert.Equal(HttpStatusCode.NotFound, (await _bob.PostReplyAsync($"/compute/v1/images/{plain}:export", new { })).Status);
        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{plain}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId = "compute.images.user", subject = new { id = "bob", type = "userAccount" } } } },
        });
        Assert.Equal(HttpStatusCode.OK, (await _bob.PostReplyAsync($"/compute/v1/images/{plain}:export", new { })).Status);
        await _admin.GrantAsync(folderId, "viewer", "bob");
        Assert.Equal(HttpStatusCode.BadRequest, (await _bob.PostReplyAsync($"/compute/v1/images/{licensed}:export", new { ttlSeconds = 60 })).Status);

        var refused = await _admin.PostReplyAsync($"/compute/v1/images/{licensed}:export", new { });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(9, refused.Code);
        Assert.Contains("product ids", refused.Message);
        var badTtl = await _admin.PostReplyAsync($"/compute/v1/images/{plain}:export", new { ttlSeconds = 0 });
        Assert.Equal(3, badTtl.Code);
        Assert.Contains("ttlSeconds", badTtl.Message);
        var tooLong = await _admin.PostReplyAsync($"/compute/v1/images/{plain}:export", new { ttlSeconds = 8 * 86400 });
        Assert.Equal(3, tooLong.Code);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostReplyAsync("/compute/v1/images/imgaaaaaaaaaaaaaaaaa:export", new { })).Status);
    }
}

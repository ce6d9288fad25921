using System.Net;
using System.Security.Cryptography;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class ImportTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    public static TheoryData<string, string, long> Formats => new()
    {
        { "qcow2", "QCOW2", 64 * DiskImages.MiB },
        { "vmdk", "VMDK", 40 * DiskImages.MiB },
        { "vhd", "VHD", 24 * DiskImages.MiB },
        { "raw", "RAW", 4 * DiskImages.MiB },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Import_detects_format_size_and_checksum_from_the_bytes(string kind, string format, long virtualSize)
    {
        var file = kind switch
        {
            "qcow2" => DiskImages.Qcow2(virtualSize),
            "vmdk" => DiskImages.Vmdk(virtualSize),
            "vhd" => DiskImages.VhdFixed(virtualSize),
            _ => DiskImages.Raw((int)virtualSize),
        };
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add($"{Names.Unique(kind)}.img", file);

        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, name = "imported", uri });

        Assert.Equal("READY", image.Str("status"));
        Assert.Equal(format, image.Str("format"));
        Assert.Equal(file.Length.ToString(), image.Str("storageSize"));
        Assert.Equal(virtualSize.ToString(), image.Str("minDiskSize"));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(file)), image.Str("checksum"));
        Assert.Equal("LINUX", image["os"]!.Str("type"));
    }

    [Fact]
    public async Task A_compressed_file_ends_the_operation_with_an_error_and_the_image_in_ERROR()
    {
        var folderId = await _admin.CreateFolderAsync();
        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("gz"), DiskImages.Gzip()) });
        Assert.Equal(HttpStatusCode.OK, reply.Status);

        var done = await _admin.WaitAsync(reply.Body!);

        Assert.Equal(3, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("gzip", done["error"]!.Str("message"));
        var image = await _admin.GetReplyAsync($"/compute/v1/images/{done["metadata"]!.Str("imageId")}");
        Assert.Equal("ERROR", image.Body!.Str("status"));
    }

    [Fact]
    public async Task A_minDiskSize_below_the_virtual_size_fails_the_import()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add(Names.Unique("q"), DiskImages.Qcow2(64 * DiskImages.MiB));
        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, minDiskSize = 8 * DiskImages.MiB });

        var done = await _admin.WaitAsync(reply.Body!);

        Assert.Equal(3, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("virtual size", done["error"]!.Str("message"));
    }

    [Theory]
    [InlineData("cases/qcow2-backing-etc-passwd.qcow2", "backing-file")]
    [InlineData("cases/vmdk-descriptor-flat-etc-passwd.vmdk", "vmdk-descriptor")]
    [InlineData("cases/qcow2-truncated-512B.qcow2", "outside-file")]
    [InlineData("cases/packed-ok.qcow2.lzma", "compressed-or-archive")]
    public async Task A_refused_file_ends_in_ERROR_naming_its_rule_and_keeps_no_data_or_quota(string fixtureFile, string rule)
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add(Names.Unique("case"), Inspection.Inspect.Fixture(fixtureFile));

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(3, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains($"import rule '{rule}'", done["error"]!.Str("message"));
        var imageId = done["metadata"]!.Str("imageId");
        Assert.Equal("ERROR", (await _admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Body!.Str("status"));
        Assert.False(await fixture.Stratum.ImageData.GetBlobClient(imageId).ExistsAsync());
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("0", quotas.First(q => q!.Str("name") == "compute.images.size")!.Str("usage"));
    }

    [Fact]
    public async Task A_format_given_on_create_that_the_bytes_contradict_is_refused()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add(Names.Unique("v"), DiskImages.Vmdk(8 * DiskImages.MiB));

        var refused = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, format = "QCOW2" })).Body!);
        var accepted = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri, format = "VMDK" });

        Assert.Contains("format QCOW2 was given", refused["error"]!.Str("message"));
        Assert.Equal("VMDK", accepted.Str("format"));
        var bad = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, format = "VHDX" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("format", bad.Message);
    }

    [Theory]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data")]
    [InlineData("http://[::a9fe:a9fe]/latest/meta-data")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/latest/meta-data")]
    [InlineData("http://[2002:a9fe:a9fe::1]/latest/meta-data")]
    public async Task IPv6_addresses_carrying_a_metadata_IPv4_address_are_refused(string uri)
    {
        var folderId = await _admin.CreateFolderAsync();

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("metadata", reply.Message);
    }

    [Fact]
    public async Task An_IPv6_address_carrying_an_allowed_IPv4_address_is_judged_by_it()
    {
        var folderId = await _admin.CreateFolderAsync();
        var direct = new Uri(fixture.Files.Add(Names.Unique("v6"), DiskImages.Raw(8192)));
        var uri = $"http://[::ffff:127.0.0.1]:{direct.Port}{direct.AbsolutePath}";

        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri });

        Assert.Equal("RAW", image.Str("format"));
    }

    [Fact]
    public async Task A_host_off_the_allow_list_is_refused_naming_the_setting()
    {
        var folderId = await _admin.CreateFolderAsync();

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = "http://images.example.com/disk.qcow2" });

        Assert.Contains("Stratum:Import:AllowedHosts", reply.Message);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "scheme")]
    [InlineData("http://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("http://metadata.google.internal/computeMetadata", "metadata")]
    [InlineData("http://[fe80::1]/disk.img", "metadata")]
    [InlineData("http://example.com/disk.img", "allow-list")]
    [InlineData("ftp://127.0.0.1/disk.img", "scheme")]
    [InlineData("not a url", "absolute URL")]
    public async Task Forbidden_import_targets_are_refused_before_any_request(string uri, string reason)
    {
        var folderId = await _admin.CreateFolderAsync();
        var before = fixture.Files.Requests;

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(3, reply.Code);
        Assert.Contains(reason, reply.Message);
        Assert.Equal(before, fixture.Files.Requests);
        Assert.Empty(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task A_redirect_off_the_allow_list_is_not_followed()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Redirect(Names.Unique("r"), "http://example.com/disk.img");

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(3, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("allow-list", done["error"]!.Str("message"));
    }

    [Fact]
    public async Task A_redirect_within_the_allow_list_is_followed()
    {
        var folderId = await _admin.CreateFolderAsync();
        var target = fixture.Files.Add(Names.Unique("t"), DiskImages.Vmdk(8 * DiskImages.MiB));
        var uri = fixture.Files.Redirect(Names.Unique("r"), target);

        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri });

        Assert.Equal("VMDK", image.Str("format"));
    }

    [Fact]
    public async Task Windows_images_cannot_be_imported()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Add(Names.Unique("w"), DiskImages.Raw(8192));

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri, os = new { type = "WINDOWS" } });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(3, reply.Code);
        Assert.Contains("WINDOWS", reply.Message);
        Assert.Empty(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task An_image_from_an_image_copies_its_data_and_facts()
    {
        var folderId = await _admin.CreateFolderAsync();
        var source = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, uri = fixture.Files.Add(Names.Unique("s"), DiskImages.Qcow2(16 * DiskImages.MiB)) });

        var copy = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, imageId = source.Str("id"), name = "copy" });

        Assert.Equal(source.Str("checksum"), copy.Str("checksum"));
        Assert.Equal(source.Str("storageSize"), copy.Str("storageSize"));
        Assert.Equal(source.Str("minDiskSize"), copy.Str("minDiskSize"));
        Assert.Equal("QCOW2", copy.Str("format"));
        Assert.NotEqual(source.Str("id"), copy.Str("id"));
    }
}

using System.Net;
using Stratum.Seed;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>The standard-images folder, seeded twice (idempotent), as a stranger sees and uses it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PublicImageTests(GatewayFixture fixture)
{
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");

    private async Task SeedAsync()
    {
        var admin = Caller.User("admin");
        using var asAdmin = TestCallers.ActAs(admin);
        var seed = new StandardImages(fixture.Stratum.Client, admin, TextWriter.Null);
        await seed.RunAsync();
        await seed.RunAsync();
    }

    [Fact]
    public async Task Seeding_is_idempotent_and_every_standard_image_is_public()
    {
        await SeedAsync();

        var images = (await _bob.GetReplyAsync("/compute/v1/images?folderId=standard-images")).Body!["images"]!.AsArray();
        Assert.Equal(StandardImages.Images.Count, images.Count);
        var latest = await _bob.GetReplyAsync("/compute/v1/images:latestByFamily?folderId=standard-images&family=ubuntu-2404");
        Assert.Equal("ubuntu-2404-v20261125", latest.Body!.Str("name"));
        Assert.Equal("standard-images", (await fixture.Stratum.Http().GetReplyAsync("/resource-manager/v1/folders/standard-images")).Body!.Str("id"));
        var families = (await _bob.GetReplyAsync("/compute/v1/families?folderId=standard-images")).Body!["families"]!.AsArray();
        Assert.Equal(["debian-12", "ubuntu-2404"], families.Select(f => f!.Str("name")));
        Assert.Equal(latest.Body!.Str("id"), families[1]!.Str("latestImageId"));
        Assert.All(families, f => Assert.Equal("2", f!.Str("imageCount")));
    }

    [Fact]
    public async Task A_stranger_s_families_of_shared_images_are_paged_as_everyone_s_are()
    {
        await SeedAsync();
        const string path = "/compute/v1/families?folderId=standard-images";

        var first = await _bob.GetReplyAsync(path + "&pageSize=1");
        var second = await _bob.GetReplyAsync(path + "&pageSize=1&pageToken=" + Uri.EscapeDataString(first.Body!.Str("nextPageToken")));
        var tooMany = await _bob.GetReplyAsync(path + "&pageSize=5000");
        var garbage = await _bob.GetReplyAsync(path + "&pageToken=garbage");
        var filtered = await _bob.GetReplyAsync(path + "&filter=" + Uri.EscapeDataString("name = 'x'"));

        Assert.Equal("debian-12", Assert.Single(first.Body!["families"]!.AsArray())!.Str("name"));
        Assert.Equal("ubuntu-2404", Assert.Single(second.Body!["families"]!.AsArray())!.Str("name"));
        Assert.Null(second.Body!["nextPageToken"]);
        Assert.True(tooMany.Status == HttpStatusCode.BadRequest && tooMany.Message!.Contains("out of range"), tooMany.Text);
        Assert.True(garbage.Status == HttpStatusCode.BadRequest && garbage.Message!.Contains("not a token this list returned"), garbage.Text);
        Assert.True(filtered.Status == HttpStatusCode.BadRequest && filtered.Message!.Contains("takes no filter"), filtered.Text);
    }

    [Fact]
    public async Task A_page_token_is_refused_on_another_folder_s_list()
    {
        // The table's continuation points into the folder's own partition: used on another folder's
        // list it answered 200 with that folder's first page (disks) or an empty page (images).
        await SeedAsync();
        var admin = fixture.Stratum.Http();
        var (one, other) = (await admin.CreateFolderAsync(), await admin.CreateFolderAsync());
        foreach (var folderId in new[] { one, other, one, other })
        {
            await admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30 });
        }
        var disks = (await admin.GetReplyAsync($"/compute/v1/disks?folderId={one}&pageSize=1")).Body!.Str("nextPageToken");
        var images = (await admin.GetReplyAsync("/compute/v1/images?folderId=standard-images&pageSize=1")).Body!.Str("nextPageToken");

        var ownDisks = await admin.GetReplyAsync($"/compute/v1/disks?folderId={one}&pageSize=1&pageToken={Uri.EscapeDataString(disks)}");
        var ownImages = await admin.GetReplyAsync($"/compute/v1/images?folderId=standard-images&pageSize=1&pageToken={Uri.EscapeDataString(images)}");
        var otherDisks = await admin.GetReplyAsync($"/compute/v1/disks?folderId={other}&pageSize=1&pageToken={Uri.EscapeDataString(disks)}");
        var otherImages = await admin.GetReplyAsync($"/compute/v1/images?folderId={one}&pageToken={Uri.EscapeDataString(images)}");
        // A stranger's families (computed from the images shared with them, paged by name) are another folder's list too.
        var shared = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId = one, family = "debian-12", uri = fixture.Files.Add(Names.Unique("p"), DiskImages.Raw(4096)) });
        await admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{shared.Str("id")}:setAccessBindings",
            new { accessBindings = new[] { new { roleId = "compute.images.user", subject = new { id = "allAuthenticatedUsers", type = "system" } } } });
        var families = (await _bob.GetReplyAsync("/compute/v1/families?folderId=standard-images&pageSize=1")).Body!.Str("nextPageToken");
        var otherFamilies = await _bob.GetReplyAsync($"/compute/v1/families?folderId={one}&pageToken={Uri.EscapeDataString(families)}");

        Assert.Single(ownDisks.Body!["disks"]!.AsArray());
        Assert.Single(ownImages.Body!["images"]!.AsArray());
        Assert.All([otherDisks, otherImages, otherFamilies], reply =>
            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3 && reply.Message!.Contains("belongs to another list"), reply.Text));
    }

    [Fact]
    public async Task A_stranger_deploys_from_a_public_family_into_their_own_folder_but_cannot_change_it()
    {
        await SeedAsync();
        var admin = fixture.Stratum.Http();
        var own = await admin.CreateFolderAsync();
        await admin.GrantAsync(own, "editor", "bob");

        var instance = await _bob.DoneAsync(HttpMethod.Post, "/compute/v1/instances",
            new { folderId = own, bootDiskSpec = new { diskSpec = new { size = 4L << 30, family = new { folderId = "standard-images", name = "debian-12" } } } });
        var disk = (await _bob.GetReplyAsync($"/compute/v1/disks/{instance["bootDisk"]!.Str("diskId")}")).Body!;
        var image = (await _bob.GetReplyAsync("/compute/v1/images:latestByFamily?folderId=standard-images&family=debian-12")).Body!;
        Assert.Equal(image.Str("id"), disk.Str("sourceImageId"));

        var update = await _bob.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { description = "mine" });
        Assert.True(update.Status == HttpStatusCode.Forbidden && update.Code == 7, update.Text);
        var bindings = await _bob.PostReplyAsync($"/compute/v1/images/{image.Str("id")}:setAccessBindings", new { accessBindings = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Forbidden, bindings.Status);
        var folder = await _bob.GetReplyAsync("/resource-manager/v1/folders/standard-images");
        Assert.Equal(HttpStatusCode.NotFound, folder.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Stratum.Http(token: null).GetReplyAsync("/compute/v1/images?folderId=standard-images")).Status);
    }

    [Fact]
    public async Task A_stranger_sees_only_the_public_images_of_a_folder_and_the_latest_of_those()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var older = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "tools", uri = fixture.Files.Add(Names.Unique("p"), DiskImages.Raw(4096)) });
        var newer = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "tools", uri = fixture.Files.Add(Names.Unique("p"), DiskImages.Raw(4096)) });
        await admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{older.Str("id")}:setAccessBindings",
            new { accessBindings = new[] { new { roleId = "compute.images.user", subject = new { id = "allAuthenticatedUsers", type = "system" } } } });

        var listed = (await _bob.GetReplyAsync($"/compute/v1/images?folderId={folderId}")).Body!["images"]!.AsArray();
        var latest = (await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=tools")).Body!;
        var noMatch = await _bob.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=" + Uri.EscapeDataString("name = 'nothing'"));
        var strangerFolder = await admin.CreateFolderAsync();
        var nothingShown = await _bob.GetReplyAsync($"/compute/v1/images?folderId={strangerFolder}&filter=" + Uri.EscapeDataString("name = 'nothing'"));

        Assert.Equal([older.Str("id")], listed.Select(i => i!.Str("id")));
        Assert.Equal(older.Str("id"), latest.Str("id"));
        // A filter matching none of what a stranger is shown is an empty page, not "folder not found".
        Assert.True(noMatch.Status == HttpStatusCode.OK && noMatch.Body!["images"]!.AsArray().Count == 0, noMatch.Text);
        Assert.Equal(HttpStatusCode.NotFound, nothingShown.Status);
        Assert.Equal(newer.Str("id"), (await admin.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=tools")).Body!.Str("id"));
    }
}

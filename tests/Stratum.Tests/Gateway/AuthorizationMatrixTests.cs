using System.Net;
using System.Text.Json.Nodes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// Every subject (by where its grant sits) against every action on an image, over HTTP: the exact
/// status and code, and for every refusal, proof that nothing changed. A sample of the same
/// decisions through the Orleans client.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthorizationMatrixTests(GatewayFixture fixture)
{
    public enum Grant { Anonymous, Nothing, ViewerOnFolder, EditorOnFolder, AdminOnFolder, UserOnFolder, ViewerOnImage, EditorOnImage, AdminOnImage, UserOnImage, Public }

    public enum Act { Get, List, Latest, ListBindings, ListOperations, GetOperation, DiskFrom, InstanceFrom, ImageFrom, Update, Deprecate, SetBindings, Delete }

    [Flags]
    private enum Can { None = 0, Read = 1, Use = 2, Edit = 4, Admin = 8, Audit = 16 }

    public static TheoryData<Grant, Act> Cases()
    {
        var data = new TheoryData<Grant, Act>();
        foreach (var grant in Enum.GetValues<Grant>())
        {
            foreach (var act in Enum.GetValues<Act>())
            {
                data.Add(grant, act);
            }
        }
        return data;
    }

    private static Can Allowed(Grant grant) => grant switch
    {
        Grant.ViewerOnFolder or Grant.ViewerOnImage => Can.Read | Can.Audit,
        Grant.EditorOnFolder or Grant.EditorOnImage => Can.Read | Can.Audit | Can.Use | Can.Edit,
        Grant.AdminOnFolder or Grant.AdminOnImage => Can.Read | Can.Audit | Can.Use | Can.Edit | Can.Admin,
        // compute.images.user reads and uses the image, not who else is granted on it (a public image's
        // users are everyone).
        Grant.UserOnFolder or Grant.UserOnImage or Grant.Public => Can.Read | Can.Use,
        _ => Can.None,
    };

    private static Can Needed(Act act) => act switch
    {
        Act.Get or Act.List or Act.Latest => Can.Read,
        Act.ListBindings or Act.ListOperations or Act.GetOperation => Can.Audit,
        Act.DiskFrom or Act.InstanceFrom or Act.ImageFrom => Can.Use,
        Act.SetBindings => Can.Admin,
        _ => Can.Edit,
    };

    /// <summary>The contract: no credential 401; cannot read 404; can read but not do 403.</summary>
    private static (HttpStatusCode Status, int? Code) Expected(Grant grant, Act act)
    {
        if (grant == Grant.Anonymous)
        {
            return (HttpStatusCode.Unauthorized, 16);
        }
        var allowed = Allowed(grant);
        if (act == Act.GetOperation && !allowed.HasFlag(Can.Audit))
        {
            return (HttpStatusCode.NotFound, 5);   // an operation one may not see does not exist, as anything unreadable
        }
        return allowed.HasFlag(Needed(act)) ? (HttpStatusCode.OK, null)
            : allowed.HasFlag(Can.Read) ? (HttpStatusCode.Forbidden, 7)
            : (HttpStatusCode.NotFound, 5);
    }

    private sealed record World(string SourceFolder, string ImageId, string TargetFolder);

    private async Task<World> BuildAsync(Grant grant)
    {
        var admin = fixture.Stratum.Http();
        var source = await admin.CreateFolderAsync();
        var image = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId = source, family = "base-os", uri = fixture.Files.Add(Names.Unique("m"), DiskImages.Raw(4096)) });
        var imageId = image.Str("id");
        var target = await admin.CreateFolderAsync();
        await admin.GrantAsync(target, "editor", "bob");
        var (role, onImage) = grant switch
        {
            Grant.ViewerOnFolder => ("viewer", false), Grant.EditorOnFolder => ("editor", false), Grant.AdminOnFolder => ("admin", false),
            Grant.UserOnFolder => ("compute.images.user", false), Grant.ViewerOnImage => ("viewer", true), Grant.EditorOnImage => ("editor", true),
            Grant.AdminOnImage => ("admin", true), Grant.UserOnImage => ("compute.images.user", true), Grant.Public => ("compute.images.user", true),
            _ => ((string?)null, false),
        };
        if (role is not null && !onImage)
        {
            await admin.GrantAsync(source, role, "bob");
        }
        else if (role is not null)
        {
            var subject = grant == Grant.Public ? new { id = "allAuthenticatedUsers", type = "system" } : new { id = "bob", type = "userAccount" };
            await admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:setAccessBindings", new { accessBindings = new[] { new { roleId = role, subject } } });
        }
        return new World(source, imageId, target);
    }

    /// <summary>Everything a refused call could have changed, as the admin sees it.</summary>
    private async Task<string> SnapshotAsync(World world)
    {
        var admin = fixture.Stratum.Http();
        var parts = new[]
        {
            (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}")).Text,
            (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings")).Text,
            (await admin.GetReplyAsync($"/compute/v1/disks?folderId={world.TargetFolder}")).Text,
            (await admin.GetReplyAsync($"/compute/v1/instances?folderId={world.TargetFolder}")).Text,
            (await admin.GetReplyAsync($"/compute/v1/images?folderId={world.TargetFolder}")).Text,
        };
        return string.Join("\n", parts);
    }

    private Task<Api.Reply> ActAsync(HttpClient http, World world, Act act, JsonNode currentBindings) => act switch
    {
        Act.Get => http.GetReplyAsync($"/compute/v1/images/{world.ImageId}"),
        Act.List => http.GetReplyAsync($"/compute/v1/images?folderId={world.SourceFolder}"),
        Act.Latest => http.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={world.SourceFolder}&family=base-os"),
        Act.ListBindings => http.GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings"),
        Act.ListOperations => http.GetReplyAsync($"/compute/v1/images/{world.ImageId}/operations"),
        Act.GetOperation => GetCreateOperationAsync(http, world),
        Act.DiskFrom => http.PostReplyAsync("/compute/v1/disks", new { folderId = world.TargetFolder, size = 4L << 30, imageId = world.ImageId }),
        Act.InstanceFrom => http.PostReplyAsync("/compute/v1/instances",
            new { folderId = world.TargetFolder, bootDiskSpec = new { diskSpec = new { size = 4L << 30, imageId = world.ImageId } } }),
        Act.ImageFrom => http.PostReplyAsync("/compute/v1/images", new { folderId = world.TargetFolder, imageId = world.ImageId }),
        Act.Update => http.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{world.ImageId}", new { description = "changed" }),
        Act.Deprecate => http.PostReplyAsync($"/compute/v1/images/{world.ImageId}:deprecate", new { state = "DEPRECATED" }),
        Act.SetBindings => http.PostReplyAsync($"/compute/v1/images/{world.ImageId}:setAccessBindings", new JsonObject { ["accessBindings"] = WithCarol(currentBindings) }),
        _ => http.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{world.ImageId}"),
    };

    /// <summary>The image's create operation (its first), read by <paramref name="http"/>'s caller.</summary>
    private async Task<Api.Reply> GetCreateOperationAsync(HttpClient http, World world) =>
        await http.GetReplyAsync($"/operations/{(await AdminOperationsAsync(world))[0]!.Str("id")}");

    private async Task<JsonArray> AdminOperationsAsync(World world) =>
        (await fixture.Stratum.Http().GetReplyAsync($"/compute/v1/images/{world.ImageId}/operations")).Body!["operations"]!.AsArray();

    /// <summary>The image's bindings plus carol as a viewer: what an allowed setAccessBindings stores.</summary>
    private static JsonArray WithCarol(JsonNode currentBindings)
    {
        var bindings = currentBindings.DeepClone().AsArray();
        bindings.Add(new JsonObject { ["roleId"] = "viewer", ["subject"] = new JsonObject { ["id"] = "carol", ["type"] = "userAccount" } });
        return bindings;
    }

    /// <summary>
    /// What an allowed action did, as the admin sees it afterwards: the answer is the image, the
    /// resource was made from it in the target folder, or the image changed as asked.
    /// </summary>
    private async Task AssertEffectAsync(World world, Act act, Api.Reply reply, JsonNode? response, string before)
    {
        var admin = fixture.Stratum.Http();
        var image = await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}");
        switch (act)
        {
            case Act.Get or Act.Latest:
                Assert.Equal(world.ImageId, reply.Body!.Str("id"));
                Assert.Equal(image.Body!.Str("checksum"), reply.Body!.Str("checksum"));
                break;
            case Act.List:
                Assert.Equal([world.ImageId], reply.Body!["images"]!.AsArray().Select(i => i!.Str("id")));
                break;
            case Act.ListBindings:
                var stored = (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings")).Body!["accessBindings"]!;
                Assert.True(JsonNode.DeepEquals(stored, reply.Body!["accessBindings"]), reply.Text);
                break;
            case Act.ListOperations:
                Assert.True(JsonNode.DeepEquals(await AdminOperationsAsync(world), reply.Body!["operations"]), reply.Text);
                break;
            case Act.GetOperation:
                Assert.Equal(((await AdminOperationsAsync(world))[0]!.Str("id"), world.ImageId), (reply.Body!.Str("id"), reply.Body!["response"]!.Str("id")));
                break;
            case Act.DiskFrom:
                var disk = await admin.GetReplyAsync($"/compute/v1/disks/{response!.Str("id")}");
                Assert.Equal((HttpStatusCode.OK, world.TargetFolder, world.ImageId), (disk.Status, disk.Body!.Str("folderId"), disk.Body!.Str("sourceImageId")));
                break;
            case Act.InstanceFrom:
                var instance = await admin.GetReplyAsync($"/compute/v1/instances/{response!.Str("id")}");
                Assert.Equal(world.TargetFolder, instance.Body!.Str("folderId"));
                var bootDisk = await admin.GetReplyAsync($"/compute/v1/disks/{instance.Body!["bootDisk"]!.Str("diskId")}");
                Assert.Equal((world.TargetFolder, world.ImageId), (bootDisk.Body!.Str("folderId"), bootDisk.Body!.Str("sourceImageId")));
                break;
            case Act.ImageFrom:
                var copy = await admin.GetReplyAsync($"/compute/v1/images/{response!.Str("id")}");
                Assert.Equal((world.TargetFolder, "READY", image.Body!.Str("checksum")), (copy.Body!.Str("folderId"), copy.Body!.Str("status"), copy.Body!.Str("checksum")));
                break;
            case Act.Update:
                Assert.Equal("changed", image.Body!.Str("description"));
                break;
            case Act.Deprecate:
                Assert.Equal("DEPRECATED", image.Body!["deprecation"]!.Str("state"));
                Assert.Equal(HttpStatusCode.NotFound, (await admin.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={world.SourceFolder}&family=base-os")).Status);
                break;
            case Act.SetBindings:
                var bindings = (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings")).Text;
                Assert.Contains("\"carol\"", bindings);
                break;
            case Act.Delete:
                Assert.Equal(HttpStatusCode.NotFound, image.Status);
                Assert.Empty(await admin.ListImagesAsync(world.SourceFolder));
                break;
        }
        // Reads change nothing, and no action touches what it did not name.
        if (Needed(act) is Can.Read or Can.Audit)
        {
            Assert.Equal(before, await SnapshotAsync(world));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_subject_gets_exactly_what_its_grant_allows(Grant grant, Act act)
    {
        var world = await BuildAsync(grant);
        var bindings = (await fixture.Stratum.Http().GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings")).Body!["accessBindings"]!;
        var before = await SnapshotAsync(world);
        var http = fixture.Stratum.Http(grant == Grant.Anonymous ? null : "dev-bob");

        var reply = await ActAsync(http, world, act, bindings);

        var (status, code) = Expected(grant, act);
        Assert.True(reply.Status == status && reply.Code == code, $"{grant} {act}: expected {(int)status} code {code}, got {(int)reply.Status} {reply.Text}");
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal(before, await SnapshotAsync(world));
            return;
        }
        JsonNode? response = null;
        if (reply.Body?["done"] is not null)
        {
            var done = await http.WaitAsync(reply.Body);
            Assert.True(done["error"] is null, done.ToJsonString());
            response = done["response"];
        }
        await AssertEffectAsync(world, act, reply, response, before);
    }

    public static TheoryData<Grant, Act> ClientCases()
    {
        var data = new TheoryData<Grant, Act>();
        foreach (var grant in new[] { Grant.Nothing, Grant.ViewerOnFolder, Grant.UserOnImage, Grant.Public, Grant.EditorOnFolder })
        {
            foreach (var act in new[] { Act.Get, Act.DiskFrom, Act.Update, Act.Delete })
            {
                data.Add(grant, act);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ClientCases))]
    public async Task The_Orleans_client_path_decides_the_same(Grant grant, Act act)
    {
        var world = await BuildAsync(grant);
        var bob = Caller.User("bob");
        var grains = fixture.Stratum.Client;
        var call = act switch
        {
            Act.Get => (Func<Task>)(() => grains.GetGrain<IImageGrain>(world.ImageId).GetAsync(bob)),
            Act.DiskFrom => () => grains.GetGrain<IComputeGrain>(0).CreateDiskAsync(bob, new CreateDiskRequest(world.TargetFolder, 4L << 30, ImageId: world.ImageId), null),
            Act.Update => () => grains.GetGrain<IImageGrain>(world.ImageId).UpdateAsync(bob, new UpdateImageRequest(Description: "changed"), null),
            _ => () => grains.GetGrain<IImageGrain>(world.ImageId).DeleteAsync(bob, null),
        };

        var (status, code) = Expected(grant, act);
        using var asBob = TestCallers.ActAs(bob);
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal((ErrorCode)code!.Value, (await Assert.ThrowsAsync<StratumException>(call)).Code);
            return;
        }
        var admin = fixture.Stratum.Http();
        switch (act)
        {
            case Act.Get:
                Assert.Equal(world.ImageId, (await grains.GetGrain<IImageGrain>(world.ImageId).GetAsync(bob)).Id);
                break;
            case Act.DiskFrom:
                var operation = await grains.GetGrain<IComputeGrain>(0).CreateDiskAsync(bob, new CreateDiskRequest(world.TargetFolder, 4L << 30, ImageId: world.ImageId), null);
                var done = await admin.WaitAsync(JsonNode.Parse($$"""{"id":"{{operation.Id}}"}""")!);
                var disk = await admin.GetReplyAsync($"/compute/v1/disks/{done["response"]!.Str("id")}");
                Assert.Equal((world.TargetFolder, world.ImageId), (disk.Body!.Str("folderId"), disk.Body!.Str("sourceImageId")));
                break;
            case Act.Update:
                await call();
                await Wait.UntilAsync(async () => (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}")).Body!["description"]?.GetValue<string>() == "changed",
                    what: "the update through the client");
                break;
            default:
                await call();
                await Wait.UntilAsync(async () => (await admin.GetReplyAsync($"/compute/v1/images/{world.ImageId}")).Status == HttpStatusCode.NotFound,
                    what: "the delete through the client");
                break;
        }
    }

    [Fact]
    public async Task Revoking_public_access_hides_the_image_on_the_next_request()
    {
        var world = await BuildAsync(Grant.Public);
        var bob = fixture.Stratum.Http("dev-bob");
        Assert.Equal(HttpStatusCode.OK, (await bob.GetReplyAsync($"/compute/v1/images/{world.ImageId}")).Status);

        await fixture.Stratum.Http().DoneAsync(HttpMethod.Post, $"/compute/v1/images/{world.ImageId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "REMOVE", accessBinding = new { roleId = "compute.images.user", subject = new { id = "allAuthenticatedUsers", type = "system" } } } },
        });

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetReplyAsync($"/compute/v1/images/{world.ImageId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetReplyAsync($"/compute/v1/images?folderId={world.SourceFolder}")).Status);
    }
}

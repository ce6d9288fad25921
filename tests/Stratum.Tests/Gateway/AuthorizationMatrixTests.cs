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

    public enum Act { Get, List, Latest, ListBindings, DiskFrom, InstanceFrom, ImageFrom, Update, Deprecate, SetBindings, Delete }

    [Flags]
    private enum Can { None = 0, Read = 1, Use = 2, Edit = 4, Admin = 8 }

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
        Grant.ViewerOnFolder or Grant.ViewerOnImage => Can.Read,
        Grant.EditorOnFolder or Grant.EditorOnImage => Can.Read | Can.Use | Can.Edit,
        Grant.AdminOnFolder or Grant.AdminOnImage => Can.Read | Can.Use | Can.Edit | Can.Admin,
        Grant.UserOnFolder or Grant.UserOnImage or Grant.Public => Can.Read | Can.Use,
        _ => Can.None,
    };

    private static Can Needed(Act act) => act switch
    {
        Act.Get or Act.List or Act.Latest or Act.ListBindings => Can.Read,
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

    private static Task<Api.Reply> ActAsync(HttpClient http, World world, Act act, JsonNode currentBindings) => act switch
    {
        Act.Get => http.GetReplyAsync($"/compute/v1/images/{world.ImageId}"),
        Act.List => http.GetReplyAsync($"/compute/v1/images?folderId={world.SourceFolder}"),
        Act.Latest => http.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={world.SourceFolder}&family=base-os"),
        Act.ListBindings => http.GetReplyAsync($"/compute/v1/images/{world.ImageId}:listAccessBindings"),
        Act.DiskFrom => http.PostReplyAsync("/compute/v1/disks", new { folderId = world.TargetFolder, size = 4L << 30, imageId = world.ImageId }),
        Act.InstanceFrom => http.PostReplyAsync("/compute/v1/instances",
            new { folderId = world.TargetFolder, bootDiskSpec = new { diskSpec = new { size = 4L << 30, imageId = world.ImageId } } }),
        Act.ImageFrom => http.PostReplyAsync("/compute/v1/images", new { folderId = world.TargetFolder, imageId = world.ImageId }),
        Act.Update => http.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{world.ImageId}", new { description = "changed" }),
        Act.Deprecate => http.PostReplyAsync($"/compute/v1/images/{world.ImageId}:deprecate", new { state = "DEPRECATED" }),
        Act.SetBindings => http.PostReplyAsync($"/compute/v1/images/{world.ImageId}:setAccessBindings", new JsonObject { ["accessBindings"] = currentBindings.DeepClone() }),
        _ => http.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{world.ImageId}"),
    };

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
        if (act is Act.Get or Act.Latest)
        {
            Assert.Equal(world.ImageId, reply.Body!.Str("id"));
        }
        if (act == Act.List)
        {
            Assert.Contains(world.ImageId, reply.Text);
        }
        if (reply.Body?["done"] is not null)
        {
            var done = await http.WaitAsync(reply.Body);
            Assert.True(done["error"] is null, done.ToJsonString());
        }
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
        if (status == HttpStatusCode.OK)
        {
            await call();
        }
        else
        {
            Assert.Equal((ErrorCode)code!.Value, (await Assert.ThrowsAsync<StratumException>(call)).Code);
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

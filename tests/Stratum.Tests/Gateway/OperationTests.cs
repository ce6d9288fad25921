using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class OperationTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task Cancelling_an_import_stops_it_and_ends_the_operation_with_an_error()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.AddSlow(Names.Unique("slow"), DiskImages.Raw(4 << 20), TimeSpan.FromMilliseconds(200));
        var started = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri });
        Assert.False(started.Body!["done"]!.GetValue<bool>());

        var cancel = await _admin.PostReplyAsync($"/operations/{started.Body!.Str("id")}:cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.Status);
        var done = await _admin.WaitAsync(started.Body!);

        Assert.Equal(10, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("cancelled", done["error"]!.Str("message"));
        Assert.Equal("ERROR", (await _admin.GetReplyAsync($"/compute/v1/images/{done["metadata"]!.Str("imageId")}")).Body!.Str("status"));
    }

    [Fact]
    public async Task An_operation_is_invisible_to_a_stranger()
    {
        var folderId = await _admin.CreateFolderAsync();
        var created = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("o"), DiskImages.Raw(512)) });

        var reply = await fixture.Stratum.Http("dev-bob").GetReplyAsync($"/operations/{created.Body!.Str("id")}");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        await _admin.WaitAsync(created.Body!);
    }

    [Fact]
    public async Task Storage_requests_are_counted_per_service()
    {
        var folderId = await _admin.CreateFolderAsync();
        var before = fixture.Stratum.SiloService<Storage.StorageClients>().Requests;

        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("c"), DiskImages.Raw(4096)) });

        var after = fixture.Stratum.SiloService<Storage.StorageClients>().Requests;
        Assert.True(after.Table > before.Table, "index and name rows are table requests");
        Assert.True(after.Blob > before.Blob, "the image data is a blob request");
    }
}

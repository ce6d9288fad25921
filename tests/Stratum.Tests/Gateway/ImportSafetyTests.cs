using System.Net;
using System.Text.Json.Nodes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// Imports from sources that misbehave, over real HTTP: every failed import gives back exactly the
/// quota it took, a stream past the quota is stopped near the limit, a silent source is ended by
/// the idle deadline and its connection closed, and the source's faults are code 9 naming it.
/// </summary>
[Collection(ImportSafetyCollection.Name)]
public sealed class ImportSafetyTests(ImportSafetyFixture fixture)
{
    private const string Size = "compute.images.size";
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task A_source_announcing_60_GiB_and_sending_4_KiB_keeps_no_quota()
    {
        var folderId = await _admin.CreateFolderAsync();
        var kept = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, uri = fixture.Files.Add(Names.Unique("ok"), DiskImages.Qcow2(8 * DiskImages.MiB)) });
        var reserved = new TaskCompletionSource();
        var uri = fixture.Files.Handle(Names.Unique("liar"), async context =>
        {
            context.Response.ContentLength = 60L << 30;
            await context.Response.Body.WriteAsync(DiskImages.Raw(4096));
            await context.Response.Body.FlushAsync();
            await reserved.Task.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
        });

        var started = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri });
        await Wait.UntilAsync(async () => await UsageAsync(folderId) >= 60L << 30, what: "The 60 GiB reservation");
        reserved.SetResult();
        var done = await _admin.WaitAsync(started.Body!);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains($"4096 of the {60L << 30} bytes", done["error"]!.Str("message"));
        Assert.Equal(long.Parse(kept.Str("storageSize")), await UsageAsync(folderId));
        Assert.Equal("ERROR", (await ImageOf(done))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stream_of_unknown_length_is_stopped_near_the_folder_limit()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, Size, 10 * DiskImages.MiB);
        // No Content-Length: chunked, as a generated or proxied stream would be.
        await using var flood = RawHttpSource.Chunked(DiskImages.Raw(1 << 20), chunks: 300);
        var uri = flood.Uri;

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(8, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains(Size, done["error"]!.Str("message"));
        // What the socket took beyond the limit is the importer's last block and the kernel's buffers, not the other 290 MiB.
        Assert.InRange(flood.Sent, 10 * DiskImages.MiB, 40 * DiskImages.MiB);
        Assert.Equal(0, await UsageAsync(folderId));
        Assert.False(await fixture.Stratum.ImageData.GetBlobClient(ImageIdOf(done)).ExistsAsync());
    }

    [Fact]
    public async Task A_source_that_never_answers_is_ended_by_the_idle_deadline()
    {
        var folderId = await _admin.CreateFolderAsync();
        var closed = new TaskCompletionSource();
        var uri = fixture.Files.Handle(Names.Unique("silent"), async context =>
        {
            context.RequestAborted.Register(() => closed.TrySetResult());
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains($"sent no answer for {ImportSafetyFixture.Idle.TotalSeconds:0} s", done["error"]!.Str("message"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await UsageAsync(folderId));
    }

    [Fact]
    public async Task A_source_that_goes_silent_after_4_KiB_is_ended_and_gives_back_its_quota()
    {
        var folderId = await _admin.CreateFolderAsync();
        var closed = new TaskCompletionSource();
        var uri = fixture.Files.Handle(Names.Unique("stall"), async context =>
        {
            context.RequestAborted.Register(() => closed.TrySetResult());
            context.Response.ContentLength = 64 * DiskImages.MiB;
            await context.Response.Body.WriteAsync(DiskImages.Raw(4096));
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("sent no data for 2 s after 4096 bytes", done["error"]!.Str("message"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await UsageAsync(folderId));
    }

    [Fact]
    public async Task A_source_that_trickles_forever_is_ended_by_the_whole_import_deadline()
    {
        var folderId = await _admin.CreateFolderAsync();
        var uri = fixture.Files.Handle(Names.Unique("trickle"), async context =>
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(new byte[512], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(ImportSafetyFixture.Idle / 4, context.RequestAborted);
            }
        });

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!, seconds: 60);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        Assert.Contains("import deadline", done["error"]!.Str("message"));
    }

    [Theory]
    [InlineData("status", "answered HTTP 404")]
    [InlineData("refused", "could not be reached")]
    [InlineData("short", "closed the connection after 4096 of the 65536 bytes")]
    public async Task The_sources_faults_are_code_9_naming_the_source(string fault, string says)
    {
        var folderId = await _admin.CreateFolderAsync();
        await using var shortBody = RawHttpSource.CutShort(65536, DiskImages.Raw(4096));
        var uri = fault switch
        {
            "status" => new Uri(fixture.Files.BaseAddress, Names.Unique("missing")).ToString(),
            "refused" => $"http://127.0.0.1:{UnusedPort()}/disk.qcow2",
            _ => shortBody.Uri,
        };

        var done = await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri })).Body!);

        Assert.Equal(9, done["error"]!["code"]!.GetValue<int>());
        var message = done["error"]!.Str("message");
        Assert.Contains(says, message);
        Assert.Contains(uri.Split('?')[0], message);
        Assert.DoesNotContain("Exception", message);
    }

    private async Task<long> UsageAsync(string folderId)
    {
        var quotas = await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas");
        return long.Parse(quotas.Body!["quotas"]!.AsArray().First(q => q!.Str("name") == Size)!.Str("usage"));
    }

    private static string ImageIdOf(JsonNode operation) => operation["metadata"]!.Str("imageId");

    private async Task<JsonNode> ImageOf(JsonNode operation) => (await _admin.GetReplyAsync($"/compute/v1/images/{ImageIdOf(operation)}")).Body!;

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

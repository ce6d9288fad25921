using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Changes;

/// <summary>
/// A cluster whose caches keep an answer until an event drops it (a one-hour lifetime), so a test
/// that sees a change proves the feed carried it; the feed's queue is read only every 400 ms, so a
/// read right after a write would be stale without read-your-writes. Heartbeats every 200 ms. A
/// cache trusts the feed for 3 s after a pulse (1 s in production), so a busy CI machine that
/// delays a pulse does not turn a test of caching into a test of pulse timing.
/// </summary>
public sealed class FeedFixture : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Stratum:LatestCache:EntryLifetime"] = "01:00:00",
        ["Stratum:LatestCache:FreshFor"] = "00:00:03",
        ["Stratum:ChangeFeed:PollPeriod"] = "00:00:00.400",
        ["Stratum:Watch:HeartbeatInterval"] = "00:00:00.200",
    };

    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync(extra: Settings);
        Files = await FileServer.StartAsync();
        Admin = Stratum.Http();
    }

    public async Task DisposeAsync()
    {
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }

    public LatestCache GatewayCache => Stratum.Gateway.Services.GetRequiredService<LatestCache>();

    /// <summary>Imports a small image into the folder, as the admin, and waits until it is READY.</summary>
    public async Task<string> ImportAsync(string folderId, string family, HttpClient? as_ = null, bool pooled = false)
    {
        var image = await (as_ ?? Admin).DoneAsync(HttpMethod.Post, "/compute/v1/images", new
        {
            folderId,
            family,
            pooled,
            uri = Files.Add(Names.Unique("feed"), DiskImages.Raw(8192)),
        });
        return image.Str("id");
    }

    /// <summary>
    /// Reads until one is answered by the cache (fetches nothing). The folder's own events (its
    /// creation, the grant, the import) can reach the feed after the reader first saw the image, and
    /// an answer fetched across one of them is rightly not kept: the next read fetches again.
    /// </summary>
    public static Task UntilServedFromCacheAsync(HttpClient reader, LatestCache cache, string folderId, string family, string imageId) =>
        Wait.UntilAsync(async () =>
        {
            var fetches = cache.Fetches;
            Assert.Equal(imageId, await LatestAsync(reader, folderId, family));
            return cache.Fetches == fetches;
        }, seconds: 10, what: "the answer served from the gateway cache", pollMilliseconds: 100);

    /// <summary>The caller's latest of a family: the image id, or null on 404.</summary>
    public static async Task<string?> LatestAsync(HttpClient http, string folderId, string family)
    {
        var reply = await http.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family={family}");
        Assert.True(reply.Status is HttpStatusCode.OK or HttpStatusCode.NotFound, reply.Text);
        return reply.Status == HttpStatusCode.OK ? reply.Body!.Str("id") : null;
    }

    /// <summary>Reads until the answer is the expected one; fails after the deadline with the last answer.</summary>
    public static async Task<TimeSpan> UntilLatestAsync(HttpClient http, string folderId, string family, string? expected, int seconds = 5)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        string? seen;
        while ((seen = await LatestAsync(http, folderId, family)) != expected)
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(seconds), $"latest of {family} was still {seen ?? "404"} after {seconds} s, expected {expected ?? "404"}");
            await Task.Delay(10);
        }
        return started.Elapsed;
    }

    public static Task DeprecateAsync(HttpClient http, string imageId, string state = "DEPRECATED") =>
        http.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:deprecate", new { state });

    public static JsonObject Binding(string action, string role, string user) => new()
    {
        ["action"] = action,
        ["accessBinding"] = new JsonObject { ["roleId"] = role, ["subject"] = new JsonObject { ["id"] = user, ["type"] = "userAccount" } },
    };
}

[CollectionDefinition(Name)]
public sealed class FeedCollection : ICollectionFixture<FeedFixture>
{
    public const string Name = "feed";
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stratum.Changes;
using Stratum.Releases;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>
/// One silo whose lifecycle clock is a test clock (schedules fire when a test moves it, not when
/// real time passes), the gateway, and a file server. As in the feed tests, cached answers live
/// until an event drops them, so a test that sees a change proves the feed carried it.
/// </summary>
public sealed class ReleaseFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Bob { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync(extra: Changes.FeedFixture.Settings, siloServices: s => s.AddSingleton(new LifecycleClock(Clock)));
        Files = await FileServer.StartAsync();
        Admin = Stratum.Http();
        Bob = Stratum.Http("dev-bob");
    }

    public async Task DisposeAsync()
    {
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }

    public LatestCache GatewayCache => Stratum.Gateway.Services.GetRequiredService<LatestCache>();
    public LatestCache SiloCache => Stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<LatestCache>();

    /// <summary>A folder bob may read, with room for many images, disks and instances.</summary>
    public async Task<string> FolderAsync()
    {
        var folderId = await Admin.CreateFolderAsync();
        await Admin.GrantAsync(folderId, "viewer", "bob");
        return folderId;
    }

    /// <summary>Imports a small image as the admin and waits until it is READY; returns the image.</summary>
    public Task<JsonNode> ImportAsync(string folderId, string? family, object? rollout = null, bool pooled = false, string? name = null, bool? deletionProtection = null) =>
        Admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new Dictionary<string, object?>
        {
            ["folderId"] = folderId,
            ["family"] = family,
            ["name"] = name,
            ["pooled"] = pooled,
            ["rollout"] = rollout,
            ["deletionProtection"] = deletionProtection,
            ["uri"] = Files.Add(Names.Unique("rel"), DiskImages.Raw(8192)),
        }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));

    public async Task<string> ImportIdAsync(string folderId, string? family, object? rollout = null) => (await ImportAsync(folderId, family, rollout)).Str("id");

    /// <summary>The latest of a family for a caller and cohort key (null: the caller's subject): the image id, or null on 404.</summary>
    public static async Task<string?> LatestAsync(HttpClient http, string folderId, string family, string? cohortKey = null)
    {
        var reply = await http.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family={family}" +
            (cohortKey is null ? "" : $"&cohortKey={Uri.EscapeDataString(cohortKey)}"));
        Assert.True(reply.Status is HttpStatusCode.OK or HttpStatusCode.NotFound, reply.Text);
        return reply.Status == HttpStatusCode.OK ? reply.Body!.Str("id") : null;
    }

    public Task<JsonNode> RolloutAsync(string imageId, object body) => Admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:rollout", body);

    /// <summary>The image as the admin reads it.</summary>
    public async Task<JsonNode> ImageAsync(string imageId)
    {
        var reply = await Admin.GetReplyAsync($"/compute/v1/images/{imageId}");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return reply.Body!;
    }

    /// <summary>Polls until the condition holds; fails after the deadline with what was last seen.</summary>
    public static async Task<TimeSpan> EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(seconds), $"{what}: not so after {seconds} s");
            await Task.Delay(20);
        }
        return started.Elapsed;
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static long Usage(JsonNode quotas, string name) => long.Parse(quotas["quotas"]!.AsArray().Single(q => q!.Str("name") == name)!.Str("usage"), System.Globalization.CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseFixture>
{
    public const string Name = "releases";
}

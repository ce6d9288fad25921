using Microsoft.Extensions.DependencyInjection;
using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Changes;

/// <summary>The multi-silo configuration: the feed on Azure Queue streams (Azurite), two silos, two gateways.</summary>
public sealed class AzureQueueFeedTests : IAsyncLifetime
{
    private StratumCluster _stratum = null!;
    private FileServer _files = null!;

    public async Task InitializeAsync()
    {
        _stratum = await StratumCluster.StartAsync(silos: 2, durable: true, extra: FeedFixture.Settings, azureQueueFeed: true);
        _files = await FileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _files.DisposeAsync();
        await _stratum.DisposeAsync();
    }

    [Fact]
    public async Task Every_silo_and_both_gateways_hear_the_feed_and_serve_a_new_image()
    {
        // The Azure Queue adapter is read through the idle-polling wrapper on every silo.
        Assert.All(_stratum.Cluster.Silos, s => Assert.IsType<IdlePollingAdapterFactory>(
            s.ServiceProvider.GetRequiredKeyedService<Orleans.Streams.IQueueAdapterFactory>(ChangeFeed.ProviderName)));
        var (second, address) = await _stratum.AddGatewayAsync();
        var caches = _stratum.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<LatestCache>())
            .Append(_stratum.Gateway.Services.GetRequiredService<LatestCache>())
            .Append(second.Services.GetRequiredService<LatestCache>()).ToList();
        await Wait.UntilAsync(() => caches.All(c => c.IsFresh), seconds: 30, what: "every cache hearing the feed");

        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.GrantAsync(folderId, "viewer", "bob");
        var bobHere = _stratum.Http("dev-bob");
        var bobThere = new HttpClient { BaseAddress = address };
        bobThere.DefaultRequestHeaders.Authorization = new("Bearer", "dev-bob");
        async Task<string> ImportAsync() => (await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "queued", uri = _files.Add(Names.Unique("q"), DiskImages.Raw(8192)) })).Str("id");

        var first = await ImportAsync();
        await FeedFixture.UntilLatestAsync(bobHere, folderId, "queued", first);
        await FeedFixture.UntilLatestAsync(bobThere, folderId, "queued", first);
        var bob = Caller.User("bob");
        using var asBob = TestCallers.ActAs(bob);
        Assert.Equal(first, (await _stratum.Client.GetGrain<IImageCatalogGrain>(0).GetLatestByFamilyAsync(bob, folderId, "queued")).Id);

        var newer = await ImportAsync();
        await FeedFixture.UntilLatestAsync(bobHere, folderId, "queued", newer);
        await FeedFixture.UntilLatestAsync(bobThere, folderId, "queued", newer);
        await Wait.UntilAsync(async () => (await _stratum.Client.GetGrain<IImageCatalogGrain>(0).GetLatestByFamilyAsync(bob, folderId, "queued")).Id == newer,
            seconds: 5, what: "the Orleans client path seeing the newer latest", pollMilliseconds: 20);
    }
}

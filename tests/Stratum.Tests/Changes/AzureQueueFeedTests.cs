using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
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

    [Fact]
    public async Task A_burst_of_changes_shares_queue_messages_and_every_change_is_delivered_once()
    {
        var stream = _stratum.Client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
        var folderId = "fldburst" + Guid.NewGuid().ToString("N")[..12];
        // A batch observer is handed each queue message's events together: the sizes show the grouping.
        var messages = new ConcurrentQueue<string[]>();
        var subscription = await stream.SubscribeAsync(items =>
        {
            var ours = items.Select(i => i.Item).Where(e => e.FolderId == folderId).Select(e => e.ResourceId!).ToArray();
            if (ours.Length > 0)
            {
                messages.Enqueue(ours);
            }
            return Task.CompletedTask;
        });
        try
        {
            var publisher = _stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<ChangePublisher>();
            var ids = Enumerable.Range(0, 200).Select(n => $"img{n:D3}").ToList();

            await Task.WhenAll(ids.Select(id => publisher.PublishAsync(ChangeEvent.Of(ChangeKind.ImageUpdated, folderId, id, "burst"))));

            await Wait.UntilAsync(() => messages.Sum(m => m.Length) >= ids.Count, seconds: 30, what: "every change of the burst");
            await Task.Delay(500);
            Assert.Equal(ids, messages.SelectMany(m => m).Order(StringComparer.Ordinal));
            Assert.True(messages.Count < ids.Count / 2, $"{ids.Count} changes came in {messages.Count} messages");
            Assert.All(messages, m => Assert.True(m.Length <= ChangePublisher.MaxEventsPerMessage));
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }
}

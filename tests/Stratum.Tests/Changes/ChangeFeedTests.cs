using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Changes;

/// <summary>What the grains put on the change feed, and what its consumers do with a duplicate.</summary>
[Collection(FeedCollection.Name)]
public sealed class ChangeFeedTests(FeedFixture fixture)
{
    private IAsyncStream<ChangeEvent> Stream => fixture.Stratum.Client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);

    [Fact]
    public async Task Every_image_change_is_published_and_the_family_latest_carries_image_sequence_and_revision()
    {
        var admin = fixture.Admin;
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        var seen = new ConcurrentQueue<ChangeEvent>();
        var subscription = await Stream.SubscribeAsync((change, _) =>
        {
            if (change.FolderId == folderId || change.Kind == ChangeKind.LayerFreed)
            {
                seen.Enqueue(change);
            }
            return Task.CompletedTask;
        });
        try
        {
            var imageId = await fixture.ImportAsync(folderId, "events", pooled: true);
            var image = (await admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Body!;
            await admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { description = "changed" });
            await FeedFixture.DeprecateAsync(admin, imageId);
            await admin.GrantAsync(folderId, "viewer", "bob");
            await admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:updateAccessBindings",
                new { accessBindingDeltas = new[] { FeedFixture.Binding("ADD", "viewer", "carol") } });
            await admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");

            var expected = new[]
            {
                ChangeKind.ImageCreated, ChangeKind.FamilyLatestChanged, ChangeKind.ImageReady, ChangeKind.ImageUpdated,
                ChangeKind.FamilyLatestChanged, ChangeKind.ImageDeprecated, ChangeKind.AccessChanged, ChangeKind.AccessChanged,
                ChangeKind.ImageDeleted, ChangeKind.LayerFreed,
            };
            await Wait.UntilAsync(() => seen.Count >= expected.Length, seconds: 10, what: $"{expected.Length} events");
            var events = seen.Where(e => e.Kind == ChangeKind.LayerFreed ? e.ResourceId == image.Str("layerId") : true).ToList();
            Assert.Equal(expected, events.Select(e => e.Kind));
            Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());

            var joined = events[1];
            Assert.Equal((imageId, "events", long.Parse(image.Str("familySequence")), 1L), (joined.ResourceId, joined.Family, joined.FamilySequence, joined.Revision));
            var left = events[4];
            Assert.Equal((null, "events", null, 2L), (left.ResourceId, left.Family, left.FamilySequence, left.Revision));
            Assert.All(events.Where(e => e.Kind.ToString().StartsWith("Image", StringComparison.Ordinal)), e => Assert.Equal((imageId, "events"), (e.ResourceId, e.Family)));
            Assert.Equal([null, imageId], events.Where(e => e.Kind == ChangeKind.AccessChanged).Select(e => e.ResourceId));
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_duplicate_event_is_dropped_by_the_gateway_and_by_the_silo()
    {
        var siloCache = fixture.Stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<LatestCache>();
        var (gatewayBefore, siloBefore) = (fixture.GatewayCache.DuplicatesDropped, siloCache.DuplicatesDropped);
        var change = ChangeEvent.Of(ChangeKind.ImageUpdated, "fldduplicatedxxxxxxx", "imgduplicatedxxxxxxx", "twice");

        await Stream.OnNextAsync(change);
        await Stream.OnNextAsync(change);

        await Wait.UntilAsync(() => fixture.GatewayCache.DuplicatesDropped > gatewayBefore && siloCache.DuplicatesDropped > siloBefore, seconds: 10,
            what: "both caches dropping the duplicate");
        Assert.Equal(gatewayBefore + 1, fixture.GatewayCache.DuplicatesDropped);
        Assert.Equal(siloBefore + 1, siloCache.DuplicatesDropped);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stratum.Changes;
using Stratum.Gateway.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Changes;

/// <summary>
/// The latest caches against the feed fixture, where an answer lives until an event drops it: every
/// change a reader sees here came by the feed, by read-your-writes, or by falling back to the grains.
/// </summary>
[Collection(FeedCollection.Name)]
public sealed class LatestFreshnessTests(FeedFixture fixture)
{
    private readonly HttpClient _admin = fixture.Admin;
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");
    private readonly HttpClient _alice = fixture.Stratum.Http("dev-alice");

    /// <summary>
    /// A folder bob may read, with one image in the family, and bob's answer for it held by the
    /// reader's gateway cache (the fixture's gateway unless another one is given).
    /// </summary>
    private async Task<(string FolderId, string ImageId)> CachedForBobAsync(string family, HttpClient? reader = null, LatestCache? cache = null)
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "viewer", "bob");
        var imageId = await fixture.ImportAsync(folderId, family);
        await FeedFixture.UntilLatestAsync(reader ?? _bob, folderId, family, imageId);
        await FeedFixture.UntilServedFromCacheAsync(reader ?? _bob, cache ?? fixture.GatewayCache, folderId, family, imageId);
        return (folderId, imageId);
    }

    [Fact]
    public async Task A_reader_is_served_from_the_gateway_cache_and_sees_a_new_image_by_the_feed()
    {
        var (folderId, first) = await CachedForBobAsync("fresh-create");
        var fetches = fixture.GatewayCache.Fetches;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(first, await FeedFixture.LatestAsync(_bob, folderId, "fresh-create"));
        }
        Assert.Equal(fetches, fixture.GatewayCache.Fetches);
        Assert.True(fixture.GatewayCache.IsFresh);

        var second = await fixture.ImportAsync(folderId, "fresh-create");
        await FeedFixture.UntilLatestAsync(_bob, folderId, "fresh-create", second);
    }

    [Fact]
    public async Task A_reader_sees_a_deprecation_and_a_deletion_by_the_feed()
    {
        var (folderId, first) = await CachedForBobAsync("fresh-deprecate");
        var second = await fixture.ImportAsync(folderId, "fresh-deprecate");
        await FeedFixture.UntilLatestAsync(_bob, folderId, "fresh-deprecate", second);

        await FeedFixture.DeprecateAsync(_admin, second);
        await FeedFixture.UntilLatestAsync(_bob, folderId, "fresh-deprecate", first);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{first}");
        await FeedFixture.UntilLatestAsync(_bob, folderId, "fresh-deprecate", null);
    }

    [Fact]
    public async Task A_revoked_reader_is_refused_by_the_feed()
    {
        var (folderId, _) = await CachedForBobAsync("fresh-revoke");

        await _admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings",
            new { accessBindingDeltas = new[] { FeedFixture.Binding("REMOVE", "viewer", "bob") } });

        await FeedFixture.UntilLatestAsync(_bob, folderId, "fresh-revoke", null);
    }

    [Fact]
    public async Task The_caller_that_deprecates_or_creates_sees_it_on_its_very_next_request()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "editor", "alice");
        var first = await fixture.ImportAsync(folderId, "own-writes", _alice);
        await FeedFixture.UntilLatestAsync(_alice, folderId, "own-writes", first);
        // Past the read-your-writes window of the import alice's reads are served from the gateway's
        // cache again: a read that fetched nothing from the grains, with the right answer.
        await FeedFixture.UntilServedFromCacheAsync(_alice, fixture.GatewayCache, folderId, "own-writes", first);

        await FeedFixture.DeprecateAsync(_alice, first);
        Assert.Null(await FeedFixture.LatestAsync(_alice, folderId, "own-writes"));

        var second = await fixture.ImportAsync(folderId, "own-writes", _alice);
        Assert.Equal(second, await FeedFixture.LatestAsync(_alice, folderId, "own-writes"));
    }

    [Fact]
    public async Task The_Orleans_client_path_is_served_by_the_silo_cache_and_sees_its_own_writes()
    {
        var client = fixture.Stratum.Client;
        var siloCache = fixture.Stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<LatestCache>();
        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "editor", "alice");
        var first = await fixture.ImportAsync(folderId, "client-path");
        var alice = Caller.User("alice");
        using var asAlice = TestCallers.ActAs(alice);
        var catalog = client.GetGrain<IImageCatalogGrain>(0);
        Assert.Equal(first, (await catalog.GetLatestByFamilyAsync(alice, folderId, "client-path")).Id);
        // The silo's cache keeps it for alice's cohort, so the next call is answered from it. Asked of this key,
        // not read off the cache's Count and Fetches: every other lookup and change on the silo moves those.
        var bucket = Cohorts.Bucket(folderId, "client-path", alice, cohortKey: null);
        Assert.Equal(first, siloCache.TryGetKept(alice, folderId, "client-path", bucket)?.Id);

        await client.GetGrain<IImageGrain>(first).DeprecateAsync(alice, new DeprecateRequest(DeprecationState.Deprecated, null), null);
        var refused = await Assert.ThrowsAsync<StratumException>(() => catalog.GetLatestByFamilyAsync(alice, folderId, "client-path"));
        Assert.Equal(ErrorCode.NotFound, refused.Code);
    }

    /// <summary>Another gateway, once its cache hears the feed, and bob's client for it.</summary>
    private async Task<(LatestCache Cache, HttpClient Bob, WebApplication App)> SecondGatewayAsync()
    {
        var (app, address) = await fixture.Stratum.AddGatewayAsync();
        var bob = new HttpClient { BaseAddress = address };
        bob.DefaultRequestHeaders.Authorization = new("Bearer", "dev-bob");
        var cache = app.Services.GetRequiredService<LatestCache>();
        await Wait.UntilAsync(() => cache.IsFresh, seconds: 10, what: "the new gateway hearing a pulse", pollMilliseconds: 20);
        return (cache, bob, app);
    }

    [Fact]
    public async Task A_second_gateway_sees_a_new_image_by_the_feed()
    {
        var (cache, bobThere, _) = await SecondGatewayAsync();
        var (folderId, _) = await CachedForBobAsync("two-gateways", bobThere, cache);
        Assert.Equal(1, cache.Count);

        var second = await fixture.ImportAsync(folderId, "two-gateways");
        await FeedFixture.UntilLatestAsync(bobThere, folderId, "two-gateways", second);
    }

    [Fact]
    public async Task A_gateway_that_stops_hearing_the_feed_falls_back_to_the_grains()
    {
        var (cache, bobThere, app) = await SecondGatewayAsync();
        var (folderId, first) = await CachedForBobAsync("feed-stops", bobThere, cache);
        Assert.Equal(1, cache.Count);

        await app.Services.GetServices<IHostedService>().OfType<ChangeFeedListener>().Single().StopAsync(CancellationToken.None);
        await Wait.UntilAsync(() => !cache.IsFresh, seconds: 5, what: "the cache distrusting the silent feed");

        // No event reaches this gateway now; its kept answer would say "first" for an hour.
        await FeedFixture.DeprecateAsync(_admin, first);
        await FeedFixture.UntilLatestAsync(bobThere, folderId, "feed-stops", null);
    }
}

using System.Collections.Concurrent;
using System.Net;
using Orleans.Streams;
using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>
/// Scheduled lifecycle on the test clock: deprecateAt, obsoleteAt, deleteAt and rollout steps fire
/// when the clock reaches them, each a change on the feed and the watch; a changed or cleared
/// schedule does not fire at its old time.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class ScheduleTests(ReleaseFixture fixture)
{
    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private Task<System.Text.Json.Nodes.JsonNode> DeprecateAsync(string imageId, object body) =>
        fixture.Admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:deprecate", body);

    private async Task UntilAsync(string imageId, Func<System.Text.Json.Nodes.JsonNode, bool> condition, string what) =>
        await ReleaseFixture.EventuallyAsync(async () =>
        {
            var reply = await fixture.Admin.GetReplyAsync($"/compute/v1/images/{imageId}");
            return reply.Status == HttpStatusCode.OK && condition(reply.Body!);
        }, what);

    [Fact]
    public async Task Deprecation_obsolescence_and_deletion_fire_on_their_own_when_the_clock_reaches_them_each_on_the_feed_and_the_watch()
    {
        var folderId = await fixture.FolderAsync();
        var older = await fixture.ImportIdAsync(folderId, "sched");
        var imageId = await fixture.ImportIdAsync(folderId, "sched");
        var seen = new ConcurrentQueue<ChangeEvent>();
        var stream = fixture.Stratum.Client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
        var subscription = await stream.SubscribeAsync((change, _) =>
        {
            if (change.ResourceId == imageId || (change.FolderId == folderId && change.Kind == ChangeKind.FamilyLatestChanged))
            {
                seen.Enqueue(change);
            }
            return Task.CompletedTask;
        });
        try
        {
            var start = Now;
            var scheduled = await DeprecateAsync(imageId, new
            {
                deprecateAt = ReleaseFixture.Time(start.AddHours(1)),
                obsoleteAt = ReleaseFixture.Time(start.AddHours(2)),
                deleteAt = ReleaseFixture.Time(start.AddHours(3)),
            });
            Assert.Equal("ACTIVE", scheduled["deprecation"]!.Str("state"));
            Assert.Equal(ReleaseFixture.Time(start.AddHours(2)), scheduled["deprecation"]!.Str("obsoleteAt"));
            await using var watch = await EventStream.OpenAsync(fixture.Bob, $"/compute/v1/images:watchFamily?folderId={folderId}&family=sched");
            Assert.Equal(imageId, (await watch.NextAsync())!.Json["image"]!.Str("id"));

            fixture.Clock.Advance(TimeSpan.FromMinutes(59));
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            await UntilAsync(imageId, i => i["deprecation"]!.Str("state") == "DEPRECATED", "DEPRECATED at deprecateAt");
            var moved = await watch.NextAsync();
            Assert.Equal(older, moved!.Json["image"]!.Str("id"));
            Assert.Null((await fixture.ImageAsync(imageId))["deprecation"]!["deprecateAt"]);

            fixture.Clock.Advance(TimeSpan.FromHours(1));
            await UntilAsync(imageId, i => i["deprecation"]!.Str("state") == "OBSOLETE", "OBSOLETE at obsoleteAt");
            var source = await fixture.Admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 8L << 20, imageId });
            Assert.Equal((HttpStatusCode.BadRequest, 9), (source.Status, source.Code));

            fixture.Clock.Advance(TimeSpan.FromHours(1));
            await ReleaseFixture.EventuallyAsync(async () => (await fixture.Admin.GetReplyAsync($"/compute/v1/images/{imageId}")).Status == HttpStatusCode.NotFound,
                "deleted at deleteAt");
            Assert.DoesNotContain(await fixture.Admin.ListImagesAsync(folderId), i => i.Str("id") == imageId);

            await ReleaseFixture.EventuallyAsync(() => Task.FromResult(seen.Any(e => e.Kind == ChangeKind.ImageDeleted)), "ImageDeleted on the feed");
            // The schedule set, DEPRECATED, OBSOLETE, then the deletion: each firing is news (events of the import may arrive late).
            var kinds = seen.Where(e => e.ResourceId == imageId && e.Kind is ChangeKind.ImageDeprecated or ChangeKind.ImageDeleted).Select(e => e.Kind).ToList();
            Assert.Equal([ChangeKind.ImageDeprecated, ChangeKind.ImageDeprecated, ChangeKind.ImageDeprecated, ChangeKind.ImageDeleted], kinds);
            Assert.Contains(seen, e => e.Kind == ChangeKind.FamilyLatestChanged && e.ResourceId == older);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task Rollout_steps_fire_in_order_and_a_changed_or_cleared_schedule_does_not_fire_at_its_old_time()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "steps");
        var imageId = await fixture.ImportIdAsync(folderId, "steps", rollout: new { percent = 0 });
        var start = Now;
        var plan = await fixture.RolloutAsync(imageId, new
        {
            steps = new[]
            {
                new { percent = 100, at = ReleaseFixture.Time(start.AddHours(3)) },
                new { percent = 25, at = ReleaseFixture.Time(start.AddHours(1)) },
            },
        });
        Assert.Equal(0, plan["rollout"]!["percent"]!.GetValue<int>());
        Assert.Equal(ReleaseFixture.Time(start.AddHours(1)), plan["rollout"]!["steps"]![0]!.Str("at"));
        await DeprecateAsync(imageId, new { deprecateAt = ReleaseFixture.Time(start.AddMinutes(30)), obsoleteAt = ReleaseFixture.Time(start.AddMinutes(45)) });
        // Moved and cleared before they come due.
        await DeprecateAsync(imageId, new { deprecateAt = ReleaseFixture.Time(start.AddHours(10)), obsoleteAt = (string?)null });
        Assert.Null((await fixture.ImageAsync(imageId))["deprecation"]!["obsoleteAt"]);

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await UntilAsync(imageId, i => i["rollout"]!["percent"]!.GetValue<int>() == 25, "25 % at the first step");
        // The step fired in the same pass that would have made the old deprecateAt and obsoleteAt: neither did.
        var image = await fixture.ImageAsync(imageId);
        Assert.Equal("ACTIVE", image["deprecation"]!.Str("state"));
        Assert.Equal(ReleaseFixture.Time(start.AddHours(10)), image["deprecation"]!.Str("deprecateAt"));
        Assert.Single(image["rollout"]!["steps"]!.AsArray());
        var key = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => Cohorts.Bucket(folderId, "steps", k) < 25);
        await ReleaseFixture.EventuallyAsync(async () => await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "steps", key) == imageId, "the step reaches latest");

        // A new plan replaces the old one: the 100 % step at +3 h is gone, 50 % at +2 h instead.
        await fixture.RolloutAsync(imageId, new { steps = new[] { new { percent = 50, at = ReleaseFixture.Time(start.AddHours(2)) } } });
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await UntilAsync(imageId, i => i["rollout"]!["percent"]!.GetValue<int>() == 50, "50 % at the new step");
        Assert.Null((await fixture.ImageAsync(imageId))["rollout"]!["steps"]);

        // {percent} alone stops the rollout, schedule and all; nothing fires later.
        await fixture.RolloutAsync(imageId, new { steps = new[] { new { percent = 100, at = ReleaseFixture.Time(Now.AddHours(1)) } } });
        await fixture.RolloutAsync(imageId, new { percent = 0 });
        var history = await DeprecateAsync(old, new { deprecateAt = ReleaseFixture.Time(Now.AddHours(1)) });
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await UntilAsync(old, i => i["deprecation"]!.Str("state") == "DEPRECATED", "the control schedule fires");
        Assert.Equal(0, (await fixture.ImageAsync(imageId))["rollout"]!["percent"]!.GetValue<int>());
        Assert.NotNull(history);
    }

    [Fact]
    public async Task Schedules_that_break_a_rule_are_refused_and_change_nothing()
    {
        var folderId = await fixture.FolderAsync();
        var imageId = await fixture.ImportIdAsync(folderId, "bad-sched");
        var now = Now;
        var cases = new (object Body, string Says)[]
        {
            (new { deprecateAt = ReleaseFixture.Time(now.AddHours(-1)) }, "deprecateAt"),
            (new { deleteAt = "next week" }, "deleteAt"),
            (new { deleteAt = 12345 }, "deleteAt"),
            (new { deprecateAt = ReleaseFixture.Time(now.AddHours(2)), obsoleteAt = ReleaseFixture.Time(now.AddHours(1)) }, "order"),
            (new { }, "Nothing to change"),
            (new { state = "GONE" }, "state"),
        };
        foreach (var (body, says) in cases)
        {
            var reply = await fixture.Admin.PostReplyAsync($"/compute/v1/images/{imageId}:deprecate", body);
            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, $"{System.Text.Json.JsonSerializer.Serialize(body)}: {reply.Status} {reply.Text}");
            Assert.Contains(says, reply.Message);
        }
        var deprecation = (await fixture.ImageAsync(imageId))["deprecation"]!;
        Assert.Equal("ACTIVE", deprecation.Str("state"));
        Assert.Null(deprecation["deprecateAt"]);
        Assert.Null(deprecation["deleteAt"]);
    }
}

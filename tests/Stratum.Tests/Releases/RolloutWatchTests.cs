using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>The family watch follows its cohort; rollout requests that break a rule change nothing.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class RolloutWatchTests(ReleaseFixture fixture)
{
    private static string Path(string folderId, string family, string cohortKey) =>
        $"/compute/v1/images:watchFamily?folderId={folderId}&family={family}&cohortKey={cohortKey}";

    /// <summary>Two cohort keys of the family: one in the first 10 buckets, one at 50 or above.</summary>
    private static (string Inside, string Outside) KeysAround(string folderId, string family)
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"zone-{i}").ToList();
        return (keys.First(k => Cohorts.Bucket(folderId, family, k) < 10), keys.First(k => Cohorts.Bucket(folderId, family, k) >= 50));
    }

    private static async Task<(string Id, string? ImageId)> NextLatestAsync(EventStream stream)
    {
        var next = await stream.NextAsync();
        Assert.NotNull(next);
        Assert.Equal("latest", next.Event);
        return (next.Id!, next.Json["image"]?["id"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_sees_its_own_cohorts_changes_only()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "watched");
        var (inside, outside) = KeysAround(folderId, "watched");
        await using var insideWatch = await EventStream.OpenAsync(fixture.Bob, Path(folderId, "watched", inside));
        await using var outsideWatch = await EventStream.OpenAsync(fixture.Bob, Path(folderId, "watched", outside));
        Assert.Equal(("1", old), await NextLatestAsync(insideWatch));
        Assert.Equal(("1", old), await NextLatestAsync(outsideWatch));

        // A new image at 10 %: the inside cohort's latest changes, the outside one's does not.
        var fresh = await fixture.ImportIdAsync(folderId, "watched", rollout: new { percent = 10 });
        Assert.Equal(("2", fresh), await NextLatestAsync(insideWatch));

        // Everyone: the outside watch's next event is this change; it never saw revision 2.
        await fixture.RolloutAsync(fresh, new { percent = 100 });
        Assert.Equal(("3", fresh), await NextLatestAsync(outsideWatch));

        // Back to 0: both cohorts return to the old image, each told once.
        await fixture.RolloutAsync(fresh, new { percent = 0 });
        Assert.Equal(("4", old), await NextLatestAsync(insideWatch));
        Assert.Equal(("4", old), await NextLatestAsync(outsideWatch));

        // Resuming after revision 1 replays only the cohort's own changes.
        await using var resumed = await EventStream.OpenAsync(fixture.Bob, Path(folderId, "watched", outside), lastEventId: "1");
        Assert.Equal(("3", fresh), await NextLatestAsync(resumed));
        Assert.Equal(("4", old), await NextLatestAsync(resumed));
    }

    [Fact]
    public async Task Rollout_requests_that_break_a_rule_are_refused_and_change_nothing()
    {
        var folderId = await fixture.FolderAsync();
        var imageId = await fixture.ImportIdAsync(folderId, "rules", rollout: new { percent = 20 });
        var noFamily = await fixture.ImportIdAsync(folderId, null);
        var now = fixture.Clock.GetUtcNow();
        var cases = new (string Path, object Body, int Code, string Says)[]
        {
            ($"/compute/v1/images/{imageId}:rollout", new { percent = 101 }, 3, "percent"),
            ($"/compute/v1/images/{imageId}:rollout", new { percent = -1 }, 3, "percent"),
            ($"/compute/v1/images/{imageId}:rollout", new { }, 3, "percent"),
            ($"/compute/v1/images/{imageId}:rollout", "{\"percent\": \"ten\"}", 3, "percent"),
            ($"/compute/v1/images/{imageId}:rollout", new { steps = new[] { new { percent = 50, at = ReleaseFixture.Time(now.AddHours(-1)) } } }, 3, "steps[0].at"),
            ($"/compute/v1/images/{imageId}:rollout", new { steps = new[] { new { percent = 50, at = "tomorrow" } } }, 3, "at"),
            ($"/compute/v1/images/{imageId}:rollout", new { steps = new[] { new { percent = 500, at = ReleaseFixture.Time(now.AddHours(1)) } } }, 3, "steps[0].percent"),
            ($"/compute/v1/images/{imageId}:rollout", new { percent = 5, extra = 1 }, 3, "extra"),
            ($"/compute/v1/images/{imageId}:rollout", "{\"steps\":[{\"percent\":null,\"at\":\"" + ReleaseFixture.Time(now.AddHours(1)) + "\"}]}", 3, "steps[0].percent is required."),
            ($"/compute/v1/images/{imageId}:rollout", "{\"steps\":[{\"percent\":50,\"at\":null}]}", 3, "steps[0].at is required."),
            ($"/compute/v1/images/{noFamily}:rollout", new { percent = 5 }, 9, "family"),
            ("/compute/v1/images", new { folderId, uri = "http://127.0.0.1:1/x", rollout = new { percent = 5 } }, 3, "family"),
            ("/compute/v1/images", new { folderId, family = "f-rules", uri = "http://127.0.0.1:1/x", rollout = new { percent = 150 } }, 3, "rollout.percent"),
            // Not a candidate at 0 % (latest for nobody), as a rollout without a percent had made.
            ("/compute/v1/images", new { folderId, family = "f-rules", uri = "http://127.0.0.1:1/x", rollout = new { } }, 3, "rollout.percent is required"),
            ("/compute/v1/images", "{\"folderId\":\"" + folderId + "\",\"family\":\"f-rules\",\"uri\":\"http://127.0.0.1:1/x\",\"rollout\":{\"percent\":null}}", 3, "rollout.percent is required"),
        };
        foreach (var (path, body, code, says) in cases)
        {
            var reply = await fixture.Admin.PostReplyAsync(path, body);
            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == code, $"{path} {System.Text.Json.JsonSerializer.Serialize(body)}: {reply.Status} {reply.Text}");
            Assert.Contains(says, reply.Message);
        }
        var image = await fixture.ImageAsync(imageId);
        Assert.Equal("20", image["rollout"]!["percent"]!.ToString());
        Assert.Null(image["rollout"]!["steps"]);
        var denied = await fixture.Bob.PostReplyAsync($"/compute/v1/images/{imageId}:rollout", new { percent = 100 });
        Assert.Equal((HttpStatusCode.Forbidden, 7), (denied.Status, denied.Code));
        var tooLong = await fixture.Bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=rules&cohortKey={new string('k', 300)}");
        Assert.Equal((HttpStatusCode.BadRequest, 3), (tooLong.Status, tooLong.Code));
    }
}

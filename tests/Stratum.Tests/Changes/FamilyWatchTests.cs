using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Changes;

/// <summary><c>images:watchFamily</c> over real HTTP: first the latest, then each change, resumed by Last-Event-ID.</summary>
[Collection(FeedCollection.Name)]
public sealed class FamilyWatchTests(FeedFixture fixture)
{
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");

    private static string Path(string folderId, string family) => $"/compute/v1/images:watchFamily?folderId={folderId}&family={family}";

    private static async Task<(string Id, string? ImageId)> NextLatestAsync(EventStream stream)
    {
        var next = await stream.NextAsync();
        Assert.NotNull(next);
        Assert.Equal("latest", next.Event);
        Assert.Equal(next.Id, next.Json["revision"]!.GetValue<string>());
        return (next.Id!, next.Json["image"]?["id"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_sends_the_latest_then_every_change_and_resumes_after_the_last_id_it_saw()
    {
        var admin = fixture.Admin;
        var folderId = await admin.CreateFolderAsync();
        await admin.GrantAsync(folderId, "viewer", "bob");
        var a = await fixture.ImportAsync(folderId, "watched");

        string? lastId;
        await using (var stream = await EventStream.OpenAsync(_bob, Path(folderId, "watched")))
        {
            Assert.Equal(("1", a), await NextLatestAsync(stream));
            var b = await fixture.ImportAsync(folderId, "watched");
            (lastId, var latest) = await NextLatestAsync(stream);
            Assert.Equal(("2", b), (lastId, latest));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.NextAsync(seconds: 1));
            Assert.True(stream.Heartbeats >= 2, $"{stream.Heartbeats} heartbeats in a second");
        }

        // Away: a newer image joins, then is deprecated, so latest goes to c and back to b.
        var c = await fixture.ImportAsync(folderId, "watched");
        await FeedFixture.DeprecateAsync(admin, c);

        await using (var resumed = await EventStream.OpenAsync(_bob, Path(folderId, "watched"), lastEventId: lastId))
        {
            Assert.Equal(("3", c), await NextLatestAsync(resumed));
            var (id, latest) = await NextLatestAsync(resumed);
            Assert.Equal("4", id);
            Assert.NotEqual(c, latest);
        }

        // An id the family never sent: the gap is unknown, so the current latest, with the current revision.
        await using (var reset = await EventStream.OpenAsync(_bob, Path(folderId, "watched"), lastEventId: "99"))
        {
            var (id, latest) = await NextLatestAsync(reset);
            Assert.Equal("4", id);
            Assert.Equal((await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=watched")).Body!.Str("id"), latest);
        }
    }

    [Fact]
    public async Task A_watcher_whose_access_is_revoked_gets_an_error_event_and_the_stream_ends()
    {
        var admin = fixture.Admin;
        var folderId = await admin.CreateFolderAsync();
        await admin.GrantAsync(folderId, "viewer", "bob");
        await fixture.ImportAsync(folderId, "revoked");
        await using var stream = await EventStream.OpenAsync(_bob, Path(folderId, "revoked"));
        await NextLatestAsync(stream);

        await admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings",
            new { accessBindingDeltas = new[] { FeedFixture.Binding("REMOVE", "viewer", "bob") } });

        var error = await stream.NextAsync();
        Assert.NotNull(error);
        Assert.Equal("error", error.Event);
        Assert.Equal(5, error.Json["code"]!.GetValue<int>());
        Assert.Null(await stream.NextAsync());
    }

    [Fact]
    public async Task A_family_with_no_image_yet_starts_empty_and_reports_its_first_image()
    {
        var folderId = await fixture.Admin.CreateFolderAsync();
        await using var stream = await EventStream.OpenAsync(fixture.Admin, Path(folderId, "empty"));
        Assert.Equal(("0", null), await NextLatestAsync(stream));

        var first = await fixture.ImportAsync(folderId, "empty");
        Assert.Equal(("1", first), await NextLatestAsync(stream));
    }

    [Fact]
    public async Task Watching_what_the_caller_cannot_see_is_404_and_bad_input_is_400_before_any_event()
    {
        var folderId = await fixture.Admin.CreateFolderAsync();
        await fixture.ImportAsync(folderId, "private");

        var hidden = await _bob.GetReplyAsync(Path(folderId, "private"));
        Assert.Equal((HttpStatusCode.NotFound, 5), (hidden.Status, hidden.Code));
        var badId = await fixture.Admin.SendAsync(HttpMethod.Get, Path(folderId, "private") + "&lastEventId=abc");
        Assert.Equal((HttpStatusCode.BadRequest, 3), (badId.Status, badId.Code));
        Assert.StartsWith("lastEventId 'abc' is not a revision", badId.Message);
        var badFamily = await fixture.Admin.GetReplyAsync(Path(folderId, "Not_A_Family"));
        Assert.Equal((HttpStatusCode.BadRequest, 3), (badFamily.Status, badFamily.Code));
        var noFamily = await fixture.Admin.GetReplyAsync($"/compute/v1/images:watchFamily?folderId={folderId}");
        Assert.Equal((HttpStatusCode.BadRequest, 3), (noFamily.Status, noFamily.Code));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Stratum.Http(token: null).GetReplyAsync(Path(folderId, "private"))).Status);
    }
}

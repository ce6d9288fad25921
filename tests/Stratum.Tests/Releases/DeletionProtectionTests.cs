using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>deletionProtection refuses every way an image can be deleted: REST, the Orleans client, a scheduled deleteAt.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class DeletionProtectionTests(ReleaseFixture fixture)
{
    [Fact]
    public async Task A_protected_image_is_not_deleted_by_rest_by_the_client_or_by_its_schedule_which_fails_visibly()
    {
        var folderId = await fixture.FolderAsync();
        var image = await fixture.ImportAsync(folderId, "kept", deletionProtection: true);
        var imageId = image.Str("id");
        Assert.True(image["deletionProtection"]!.GetValue<bool>());

        var rest = await fixture.Admin.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal((HttpStatusCode.BadRequest, 9), (rest.Status, rest.Code));
        Assert.Contains("deletionProtection", rest.Message);

        var client = await Assert.ThrowsAsync<StratumException>(() => TestCallers.As(Caller.User("admin"), () => fixture.Stratum.Client.GetGrain<IImageGrain>(imageId).DeleteAsync(Caller.User("admin"), null)));
        Assert.Equal(ErrorCode.FailedPrecondition, client.Code);

        // With the recycle bin on too: still refused, not moved to the bin.
        await fixture.Admin.DoneAsync(HttpMethod.Patch, $"/resource-manager/v1/folders/{folderId}", new { recycleBin = new { retentionHours = 24 } });
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Admin.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}")).Status);

        var due = fixture.Clock.GetUtcNow().AddHours(1);
        await fixture.Admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:deprecate", new { deleteAt = ReleaseFixture.Time(due) });
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await ReleaseFixture.EventuallyAsync(async () => (await fixture.ImageAsync(imageId))["scheduleFailure"] is not null, "the scheduled deletion's failure is recorded");
        var refused = await fixture.ImageAsync(imageId);
        Assert.Equal("READY", refused.Str("status"));
        Assert.Null(refused["deprecation"]!["deleteAt"]);
        var failure = refused["scheduleFailure"]!;
        Assert.Equal(("deleteAt", ReleaseFixture.Time(due), 9), (failure.Str("schedule"), failure.Str("at"), failure["error"]!["code"]!.GetValue<int>()));
        Assert.Contains("deletionProtection", failure["error"]!.Str("message"));
        Assert.Contains(await fixture.Admin.ListImagesAsync(folderId), i => i.Str("id") == imageId);

        // Cleared: a DELETE goes through (into the bin here); a PATCH that changes nothing is refused.
        var nothing = await fixture.Admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { });
        Assert.Equal((HttpStatusCode.BadRequest, 3), (nothing.Status, nothing.Code));
        var bobPatch = await fixture.Bob.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { deletionProtection = false });
        Assert.Equal((HttpStatusCode.Forbidden, 7), (bobPatch.Status, bobPatch.Code));
        var cleared = await fixture.Admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { deletionProtection = false });
        Assert.False(cleared["deletionProtection"]!.GetValue<bool>());
        await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.Equal("DELETED", (await fixture.ImageAsync(imageId)).Str("status"));
    }

    [Fact]
    public async Task Protection_set_by_patch_refuses_a_delete_and_a_new_image_is_unprotected_by_default()
    {
        var folderId = await fixture.FolderAsync();
        var imageId = await fixture.ImportIdAsync(folderId, null);
        Assert.False((await fixture.ImageAsync(imageId))["deletionProtection"]!.GetValue<bool>());
        await fixture.Admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", new { deletionProtection = true });
        var refused = await fixture.Admin.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}", idempotencyKey: Names.Unique("del"));
        Assert.Equal((HttpStatusCode.BadRequest, 9), (refused.Status, refused.Code));
        Assert.Equal("READY", (await fixture.ImageAsync(imageId)).Str("status"));
        var wrongType = await fixture.Admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{imageId}", "{\"deletionProtection\": \"yes\"}");
        Assert.Equal((HttpStatusCode.BadRequest, 3), (wrongType.Status, wrongType.Code));
        Assert.Contains("deletionProtection", wrongType.Message);
    }
}

using System.Net;
using Orleans.Core.Internal;
using Stratum.Layers;
using Stratum.Operations;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Faults;

/// <summary>One silo whose grain storage fails or conflicts where a test says.</summary>
public sealed class FaultFixture : IAsyncLifetime
{
    public StorageFaults Faults { get; } = new();
    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync(faults: Faults);
        Files = await FileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "storage-faults";
}

/// <summary>
/// Every grain that writes, when its write fails, does not serve what it did not store, and the
/// request that caused it can be retried; when another writer stored first, it re-reads and
/// decides again instead of writing over the other.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class StorageFaultTests(FaultFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task An_idempotency_key_claimed_by_another_writer_first_is_not_overwritten()
    {
        var folderId = await _admin.CreateFolderAsync();
        var key = Names.Unique("key");
        var claim = fixture.Stratum.Client.GetGrain<IIdempotencyGrain>(Idempotency.ClaimKey(Caller.User("admin"), key)!);
        fixture.Faults.ConflictOnNextWrite<IdempotencyState>(claim.GetGrainId(), other =>
        {
            (other.Fingerprint, other.OperationId, other.ResourceId, other.ClaimedAt) = ("another request", "opr" + new string('a', 17), "img" + new string('a', 17), DateTimeOffset.UtcNow);
        });

        var reply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("i"), DiskImages.Raw(4096)) }, key);

        Assert.True(reply.Status == HttpStatusCode.Conflict && reply.Code == 10, reply.Text);
        Assert.Empty(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task A_new_idempotency_key_is_claimed_without_a_read_and_a_key_used_before_answers_its_first_request_after_deactivation()
    {
        var (key, name) = (Names.Unique("key"), Names.Unique("f"));
        var claim = fixture.Stratum.SiloGrains.GetGrain<IIdempotencyGrain>(Idempotency.ClaimKey(Caller.User("admin"), key)!);

        var first = await _admin.PostReplyAsync("/resource-manager/v1/folders", new { name }, key);

        Assert.True(first.Status == HttpStatusCode.OK, first.Text);
        Assert.Equal(0, fixture.Faults.ReadsOf(claim.GetGrainId()));
        // Another activation has read nothing either: its create-only write fails, and it decides on the stored claim.
        await claim.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var again = await _admin.PostReplyAsync("/resource-manager/v1/folders", new { name }, key);
        Assert.True(again.Status == HttpStatusCode.OK && again.Body!.Str("id") == first.Body!.Str("id"), again.Text);
        Assert.Equal(1, fixture.Faults.ReadsOf(claim.GetGrainId()));
    }

    [Fact]
    public async Task A_new_image_is_activated_without_a_read_and_a_later_activation_reads_its_record()
    {
        var folderId = await _admin.CreateFolderAsync();
        var key = Names.Unique("key");
        var body = new { folderId, name = Names.Unique("n"), uri = fixture.Files.Add(Names.Unique("i"), DiskImages.Raw(4096)) };

        var created = await _admin.PostReplyAsync("/compute/v1/images", body, key);

        Assert.True(created.Status == HttpStatusCode.OK, created.Text);
        var imageId = created.Body!["metadata"]!.Str("imageId");
        var image = fixture.Stratum.SiloGrains.GetGrain<Images.IImageInternalGrain>(imageId);
        Assert.Equal("READY", (await _admin.WaitAsync(created.Body!))["response"]!.Str("status"));
        Assert.Equal(0, fixture.Faults.ReadsOf(image.GetGrainId()));
        // Any later activation reads the record: a retry of the create (its key's claim names the image) and a GET.
        await image.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var again = await _admin.PostReplyAsync("/compute/v1/images", body, key);
        Assert.True(again.Status == HttpStatusCode.OK && again.Body!.Str("id") == created.Body!.Str("id"), again.Text);
        var read = await _admin.GetReplyAsync($"/compute/v1/images/{imageId}");
        Assert.True(read.Status == HttpStatusCode.OK && read.Body!.Str("status") == "READY", read.Text);
        Assert.Equal(1, fixture.Faults.ReadsOf(image.GetGrainId()));
    }

    [Fact]
    public async Task An_operation_whose_record_could_not_be_stored_fails_the_request_which_can_be_retried()
    {
        var (key, name) = (Names.Unique("key"), Names.Unique("f"));
        fixture.Faults.FailWrites("operation");

        var failed = await _admin.PostReplyAsync("/resource-manager/v1/folders", new { name }, key);
        var retried = await _admin.PostReplyAsync("/resource-manager/v1/folders", new { name }, key);

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        var done = await _admin.WaitAsync(retried.Body!);
        Assert.Equal(done["id"]!.ToString(), (await _admin.GetReplyAsync($"/operations/{done.Str("id")}")).Body!.Str("id"));
    }

    [Fact]
    public async Task A_copied_image_whose_list_rows_could_not_be_stored_is_listed_by_a_retry_with_its_key()
    {
        var folderId = await _admin.CreateFolderAsync();
        var source = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("s"), DiskImages.Raw(8192)) });
        var (key, name) = (Names.Unique("key"), Names.Unique("copy"));
        fixture.Faults.FailNextTableTransaction();

        // The image's record is stored READY with its operation; its list rows (one table transaction)
        // are not: the request fails, and the retry that answers the operation lists the image first.
        var failed = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name }, key);
        var retried = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name }, key);

        // Storage's failure is the service's, and passing: 503 (code 14), retry with the key.
        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        var image = (await _admin.WaitAsync(retried.Body!))["response"]!;
        Assert.Equal(("READY", name), (image.Str("status"), image.Str("name")));
        Assert.Equal(2, (await _admin.ListImagesAsync(folderId)).Count);
        Assert.Equal("2", await UsageAsync(folderId));
    }

    [Fact]
    public async Task A_layer_whose_write_failed_holds_nothing_it_did_not_store_and_the_image_still_becomes_ready()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        var content = DiskImages.Raw(8192);
        var layerId = LayerIds.FromChecksum("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));
        fixture.Faults.FailWrites(fixture.Stratum.Client.GetGrain<ILayerGrain>(layerId).GetGrainId());

        var started = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, pooled = true, uri = fixture.Files.Add(Names.Unique("p"), content) });
        var image = (await _admin.WaitAsync(started.Body!))["response"]!;

        Assert.Equal("READY", image.Str("status"));
        var layer = (await _admin.GetReplyAsync($"/compute/v1/layers/{layerId}")).Body!;
        Assert.Equal("1", layer.Str("referenceCount"));
        Assert.Equal(image.Str("id"), Assert.Single(layer["imageIds"]!.AsArray())!.GetValue<string>());
    }

    [Fact]
    public async Task A_folder_s_shard_count_that_could_not_be_stored_is_asked_for_again_by_the_next_create()
    {
        var folderId = await _admin.CreateFolderAsync();
        // The first create in a folder fixes its deployment shard count, which every silo then keeps.
        fixture.Faults.FailWrites(FolderGrainId(folderId));

        var failed = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 });
        var retried = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 });

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        Assert.True(retried.Status == HttpStatusCode.OK && (await _admin.WaitAsync(retried.Body!))["error"] is null, retried.Text);
        Assert.Single((await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray());
    }

    [Fact]
    public async Task A_quota_change_that_could_not_be_stored_is_not_served()
    {
        var folderId = await _admin.CreateFolderAsync();
        fixture.Faults.FailWrites(FolderGrainId(folderId));

        var reply = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", new { quotas = new[] { new { name = "compute.images.count", limit = 99 } } });

        Assert.True(reply.Status == HttpStatusCode.ServiceUnavailable && reply.Code == 14, reply.Text);
        Assert.Equal("32", await LimitAsync(folderId, "compute.images.count"));
    }

    [Fact]
    public async Task A_quota_change_meeting_another_writers_change_is_made_again_on_top_of_it()
    {
        var folderId = await _admin.CreateFolderAsync();
        fixture.Faults.ConflictOnNextWrite<Folders.FolderState>(FolderGrainId(folderId), other => other.Limits["compute.snapshots.count"] = 7);

        await _admin.SetQuotaAsync(folderId, "compute.images.count", 99);

        Assert.Equal("99", await LimitAsync(folderId, "compute.images.count"));
        Assert.Equal("7", await LimitAsync(folderId, "compute.snapshots.count"));
    }

    [Fact]
    public async Task Usage_taken_while_another_writer_changed_the_ledger_counts_both()
    {
        var folderId = await _admin.CreateFolderAsync();
        fixture.Faults.ConflictOnNextWrite<Folders.FolderLedger>(FolderGrainId(folderId), other => other.Usage["compute.images.count"] = 5);

        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("i"), DiskImages.Raw(4096)) });

        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("6", quotas.Single(q => q!.Str("name") == "compute.images.count")!.Str("usage"));
    }

    [Fact]
    public async Task Quota_changes_queued_together_are_decided_in_order_and_a_failed_shared_write_is_retried_by_token()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.images.count", 10);
        var folder = fixture.Stratum.SiloGrains.GetGrain<Folders.IFolderInternalGrain>(folderId);

        // Twenty takers at once against a limit of ten: exactly ten are admitted, the rest refused with code 8.
        var taking = Enumerable.Range(0, 20).Select(i => folder.ChangeUsageAsync($"take{i}", [new Folders.QuotaDelta(QuotaNames.ImagesCount, 1)])).ToList();
        var outcomes = await Task.WhenAll(taking.Select(async t =>
        {
            try
            {
                await t;
                return (ErrorCode?)null;
            }
            catch (StratumException e)
            {
                return e.Code;
            }
        }));
        Assert.Equal(10, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(ErrorCode.ResourceExhausted, o));
        Assert.Equal("10", await UsageAsync(folderId));

        // A write that fails stores none of the changes it carried; their retries (same tokens) count once.
        fixture.Faults.FailWrites(FolderGrainId(folderId));
        var giving = Enumerable.Range(0, 3).Select(i => folder.ChangeUsageAsync($"give{i}", [new Folders.QuotaDelta(QuotaNames.ImagesCount, -1)])).ToList();
        await Assert.ThrowsAnyAsync<StratumException>(() => Task.WhenAll(giving));
        Assert.Equal(10 - giving.Count(t => t.IsCompletedSuccessfully), long.Parse(await UsageAsync(folderId), System.Globalization.CultureInfo.InvariantCulture));
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => folder.ChangeUsageAsync($"give{i}", [new Folders.QuotaDelta(QuotaNames.ImagesCount, -1)])));
        }
        Assert.Equal("7", await UsageAsync(folderId));
    }

    private async Task<string> UsageAsync(string folderId) =>
        (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray().Single(q => q!.Str("name") == "compute.images.count")!.Str("usage");

    [Fact]
    public async Task Creates_racing_a_folder_delete_end_consistently_and_never_deadlock()
    {
        var folderId = await _admin.CreateFolderAsync();
        var creates = Enumerable.Range(0, 30).Select(_ => _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 4L << 20 })).ToList();
        var delete = _admin.SendAsync(HttpMethod.Delete, $"/resource-manager/v1/folders/{folderId}");

        var replies = await Task.WhenAll(creates.Append(delete)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(replies, r => Assert.True((int)r.Status < 500 || r.Code == 14, r.Text));
        var folder = await _admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}");
        if (folder.Status == HttpStatusCode.OK)
        {
            var disks = await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}&pageSize=1000");
            var count = disks.Body!["disks"]?.AsArray().Count ?? 0;
            var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
            Assert.Equal(count.ToString(), quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
        }
    }

    private GrainId FolderGrainId(string folderId) => fixture.Stratum.Client.GetGrain<IFolderGrain>(folderId).GetGrainId();

    private async Task<string> LimitAsync(string folderId, string name) =>
        (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray().Single(q => q!.Str("name") == name)!.Str("limit");

    [Fact]
    public async Task An_image_change_that_could_not_be_stored_is_not_served_and_frees_the_name_it_reserved()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, name = "before", uri = fixture.Files.Add(Names.Unique("i"), DiskImages.Raw(4096)) });
        fixture.Faults.FailWrites(fixture.Stratum.Client.GetGrain<IImageGrain>(image.Str("id")).GetGrainId());

        var failed = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { name = "after" });

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        Assert.Equal("before", (await _admin.GetReplyAsync($"/compute/v1/images/{image.Str("id")}")).Body!.Str("name"));
        var other = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, name = "after", uri = fixture.Files.Add(Names.Unique("j"), DiskImages.Raw(4096)) });
        Assert.Equal("after", other.Str("name"));
    }

    [Fact]
    public async Task A_deletion_whose_last_write_failed_is_finished_by_the_active_image_not_left_to_its_reminder()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("d"), DiskImages.Raw(4096)) });
        var imageId = image.Str("id");
        fixture.Faults.FailClears(fixture.Stratum.Client.GetGrain<IImageGrain>(imageId).GetGrainId());

        // The deletion is decided and stored before the failed step: the caller gets its operation, not an error.
        var deleting = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        Assert.True(deleting.Status == HttpStatusCode.OK, deleting.Text);
        await _admin.WaitAsync(deleting.Body!);

        // Read all along, so the grain stays active: its retry finishes the deletion well before the
        // reconcile reminder's first tick (a minute), the only retry there was.
        await Wait.ForAsync(() => _admin.GetReplyAsync($"/compute/v1/images/{imageId}"), reply => reply.Status == HttpStatusCode.NotFound,
            seconds: 30, describe: reply => $"{imageId} still there: {reply.Status} {reply.Text}", pollMilliseconds: 200);
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("0", quotas.Single(q => q!.Str("name") == "compute.images.count")!.Str("usage"));
    }

    [Fact]
    public async Task A_restore_whose_family_write_failed_is_done_and_the_active_image_finishes_its_move_out_of_the_bin()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Patch, $"/resource-manager/v1/folders/{folderId}", new { recycleBin = new { retentionHours = 1 } });
        var imageId = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family = "back", uri = fixture.Files.Add(Names.Unique("r"), DiskImages.Raw(4096)) })).Str("id");
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        fixture.Faults.FailWrites(fixture.Stratum.Client.GetGrain<Families.IFamilyGrain>(Families.IFamilyGrain.Key(folderId, "back")).GetGrainId());

        // Restored once stored: the caller gets the done operation, not an error it would retry into a refusal.
        var restoring = await _admin.PostReplyAsync($"/compute/v1/images/{imageId}:restore", new { });
        Assert.True(restoring.Status == HttpStatusCode.OK, restoring.Text);
        Assert.Equal("READY", (await _admin.WaitAsync(restoring.Body!))["response"]!.Str("status"));

        // The family and the lists follow on the active image's retry, not on some later activation.
        await Wait.UntilAsync(async () =>
                (await _admin.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=back")).Body?["id"]?.GetValue<string>() == imageId
                && (await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&view=RECYCLE_BIN")).Body!["images"]!.AsArray().Count == 0,
            seconds: 30, what: "The restored image back in its family and out of the recycle bin list", pollMilliseconds: 200);
    }

    [Fact]
    public async Task A_restore_that_meets_a_purge_stored_by_another_activation_finishes_that_purge()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Patch, $"/resource-manager/v1/folders/{folderId}", new { recycleBin = new { retentionHours = 1 } });
        var imageId = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("p"), DiskImages.Raw(4096)) })).Str("id");
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");
        // Another activation (on a silo about to die) stores the purge first and finishes nothing.
        fixture.Faults.ConflictOnNextWrite<Images.ImageState>(fixture.Stratum.Client.GetGrain<IImageGrain>(imageId).GetGrainId(),
            other => other.Image = other.Image! with { Status = ImageStatus.Deleting });

        var restoring = await _admin.PostReplyAsync($"/compute/v1/images/{imageId}:restore", new { });
        Assert.True(restoring.Status == HttpStatusCode.BadRequest && restoring.Code == 9, restoring.Text);

        // Read all along, so only this activation can finish the purge it found.
        await Wait.ForAsync(() => _admin.GetReplyAsync($"/compute/v1/images/{imageId}"), reply => reply.Status == HttpStatusCode.NotFound,
            seconds: 30, describe: reply => $"{imageId} still there: {reply.Status} {reply.Text}", pollMilliseconds: 200);
    }

    [Fact]
    public async Task A_family_joined_while_another_writer_added_a_member_keeps_both()
    {
        var folderId = await _admin.CreateFolderAsync();
        var family = fixture.Stratum.Client.GetGrain<Families.IFamilyGrain>(Families.IFamilyGrain.Key(folderId, "fam"));
        long otherSequence = -1;
        fixture.Faults.ConflictOnNextWrite<Families.FamilyState>(family.GetGrainId(), other =>
        {
            otherSequence = other.NextSequence++;
            other.Members.Add(new Families.FamilyMember("img" + new string('z', 17), otherSequence, DeprecationState.Active));
        });

        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family = "fam", uri = fixture.Files.Add(Names.Unique("f"), DiskImages.Raw(4096)) });

        Assert.Equal((otherSequence + 1).ToString(), image.Str("familySequence"));
        var families = (await _admin.GetReplyAsync($"/compute/v1/families?folderId={folderId}")).Body!["families"]!.AsArray();
        Assert.Equal("2", Assert.Single(families)!.Str("imageCount"));
    }

    [Fact]
    public async Task A_shard_commit_that_fails_counts_nothing_and_a_retry_with_the_key_commits_once()
    {
        var folderId = await _admin.CreateFolderAsync();
        var key = Names.Unique("disk");
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 4L << 20 });
        fixture.Faults.FailNextTableTransaction();

        var failed = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 4L << 20, name = "second" }, key);
        var retried = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 4L << 20, name = "second" }, key);

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        var disks = (await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray();
        Assert.Equal(2, disks.Count);
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("2", quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
    }

    [Fact]
    public async Task A_create_whose_commit_failed_gives_its_name_back_so_the_retry_with_its_key_is_made()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 4L << 20 });
        var key = Names.Unique("disk");
        var body = new { folderId, size = 4L << 20, name = "after-failure" };
        // The name's reservation passes; the commit of the disk's rows fails.
        fixture.Faults.FailNextTableTransaction(passing: 1);

        var failed = await _admin.PostReplyAsync("/compute/v1/disks", body, key);
        var retried = await _admin.PostReplyAsync("/compute/v1/disks", body, key);

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable && failed.Code == 14, failed.Text);
        // The failed attempt's reservation, for a disk never made, refused the retry 409 for 5 minutes.
        Assert.True(retried.Status == HttpStatusCode.OK && retried.Body!["error"] is null, retried.Text);
        Assert.Equal("after-failure", retried.Body["response"]!.Str("name"));
    }

    [Fact]
    public async Task A_create_refused_for_quota_is_answered_once_its_name_is_given_back()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 0);
        var name = Names.Unique("refused");
        // The shard reserves a create's name before it knows the quota; giving it back ends in this delete.
        fixture.Faults.SlowDeletesOfRow(name, TimeSpan.FromSeconds(2));
        var body = new { folderId, size = 4L << 20, name };

        var first = await _admin.PostReplyAsync("/compute/v1/disks", body);
        var again = await _admin.PostReplyAsync("/compute/v1/disks", body);

        Assert.True(first.Code == 8, first.Text);
        // Answered before the name was given back, the same request sent again met the name still held:
        // "already exists" (409), for a disk that was never made.
        Assert.True(again.Code == 8, again.Text);
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Deployment;
using Stratum.Operations;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// An Idempotency-Key on disks and instances is decided in one place whatever shard the work lands
/// on, and a retry of a request already done is its first operation whatever has changed since.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ComputeKeyTests(GatewayFixture fixture)
{
    private const long GiB = 1L << 30;
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task One_key_reused_at_the_same_instant_on_many_shards_runs_once()
    {
        var folderId = await _admin.CreateFolderAsync();
        // Disks land on random shards of the folder's four: twelve of them sit on several.
        var disks = await CreateDisksAsync(folderId, 12);
        var key = Names.Unique("same-instant");

        var replies = await Task.WhenAll(disks.Select(id => _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{id}", idempotencyKey: key)));

        var ran = replies.Where(r => r.Status == HttpStatusCode.OK).ToList();
        Assert.True(ran.Count == 1, string.Join("\n", replies.Select(r => r.Text)));
        Assert.True(ran[0].Body!["error"] is null, ran[0].Text);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => Assert.True(r.Status == HttpStatusCode.Conflict && r.Code == 10, r.Text));
        var left = await _admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks");
        Assert.Equal(disks.Count - 1, left.Count);
    }

    [Fact]
    public async Task One_keyed_named_create_sent_many_times_at_once_to_a_full_folder_is_refused_for_quota_each_time()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 0);
        for (var round = 0; round < 3; round++)
        {
            var body = new { folderId, size = GiB, name = Names.Unique("full") };
            var key = Names.Unique("full-key");

            // Each copy may take the name over from another (the same key's claim) while that one gives it back.
            var replies = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => _admin.PostReplyAsync("/compute/v1/disks", body, key)));

            // A takeover that met the row changed (given back, or taken over by a third copy) failed its flush:
            // 503 "could not be stored" for some of them, in a trial and here.
            Assert.All(replies, r => Assert.True(r.Status == (HttpStatusCode)429 && r.Code == 8, r.Text));
        }
        Assert.Empty(await _admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks"));
    }

    [Fact]
    public async Task A_retry_of_a_create_done_before_the_quota_was_lowered_below_usage_is_its_first_operation()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.instances.count", 1);
        var body = new { folderId, bootDiskSpec = new { diskSpec = new { size = GiB } } };
        var key = Names.Unique("before-quota");
        var first = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);

        await _admin.SetQuotaAsync(folderId, "compute.instances.count", 0);

        var other = await _admin.PostReplyAsync("/compute/v1/instances", body, Names.Unique("after-quota"));
        Assert.True(other.Status == HttpStatusCode.TooManyRequests && other.Code == 8, other.Text);
        var retried = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        Assert.Equal(first.Body!.Str("id"), retried.Body!.Str("id"));
        Assert.Equal(first.Body!["response"]!.Str("id"), retried.Body!["response"]!.Str("id"));
        Assert.Single(await _admin.AllAsync($"/compute/v1/instances?folderId={folderId}", "instances"));
    }

    [Fact]
    public async Task A_keyed_instance_retried_after_it_was_deleted_is_its_first_operation_and_is_not_made_again()
    {
        var folderId = await _admin.CreateFolderAsync();
        var body = new { folderId, name = "kept-key", bootDiskSpec = new { diskSpec = new { size = GiB } } };
        var key = Names.Unique("instance-key");
        var first = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);
        var instanceId = first.Body!["response"]!.Str("id");
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{instanceId}");

        // Its row is gone; the key's claim still answers with the first operation, the instance as it was made.
        var retried = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        var reused = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, name = "other", bootDiskSpec = new { diskSpec = new { size = GiB } } }, key);

        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        Assert.Equal((first.Body.Str("id"), instanceId, "kept-key", true), (retried.Body!.Str("id"), retried.Body!["response"]!.Str("id"),
            retried.Body!["response"]!.Str("name"), retried.Body!["done"]!.GetValue<bool>()));
        Assert.True(reused.Status == HttpStatusCode.Conflict && reused.Code == 10, reused.Text);
        Assert.Empty(await _admin.AllAsync($"/compute/v1/instances?folderId={folderId}", "instances"));
        Assert.Empty(await _admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks"));
    }

    [Theory]
    [InlineData("/compute/v1/disks")]
    [InlineData("/compute/v1/instances")]
    public async Task A_keyed_create_retried_after_its_resource_was_deleted_leaves_the_name_free(string path)
    {
        var folderId = await _admin.CreateFolderAsync();
        object Body(string name) => path.EndsWith("disks", StringComparison.Ordinal)
            ? new { folderId, name, size = GiB }
            : new { folderId, name, bootDiskSpec = new { diskSpec = new { size = GiB } } };
        var key = Names.Unique("name-key");
        var first = await _admin.PostReplyAsync(path, Body("kept-name"), key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);
        await _admin.DoneAsync(HttpMethod.Delete, $"{path}/{first.Body!["response"]!.Str("id")}");

        // The retry reserved the name for a resource it never made: it stayed taken for 5 minutes.
        var retried = await _admin.PostReplyAsync(path, Body("kept-name"), key);
        Assert.True(retried.Status == HttpStatusCode.OK && retried.Body!.Str("id") == first.Body.Str("id"), retried.Text);
        var again = await _admin.PostReplyAsync(path, Body("kept-name"), Names.Unique("name-key-2"));

        Assert.True(again.Status == HttpStatusCode.OK && again.Body!["error"] is null, again.Text);
        Assert.NotEqual(first.Body["response"]!.Str("id"), again.Body!["response"]!.Str("id"));
    }

    [Theory]
    [InlineData("/compute/v1/disks")]
    [InlineData("/compute/v1/instances")]
    public async Task A_keyed_create_retried_after_its_first_attempt_died_between_naming_and_committing_is_made(string path)
    {
        var folderId = await _admin.CreateFolderAsync();
        var (kind, key, otherKey) = (KindOf(path), Names.Unique("died-key"), Names.Unique("other-key"));
        // The state a silo's death leaves: the first attempt reserved the name (for an id it never
        // made) and committed nothing. Its retry has a new id: the name was refused for 5 minutes.
        await Index.ReserveNameAsync(folderId, kind, "died-name", DeadId(path), claimHash: ClaimHashOf(key));
        await Index.ReserveNameAsync(folderId, kind, "kept-name", DeadId(path), claimHash: ClaimHashOf(otherKey));

        var retried = await _admin.PostReplyAsync(path, Body(path, folderId, "died-name"), key);
        var another = await _admin.PostReplyAsync(path, Body(path, folderId, "kept-name"), key + "-2");

        Assert.True(retried.Status == HttpStatusCode.OK && retried.Body!["error"] is null, retried.Text);
        Assert.Equal("died-name", retried.Body!["response"]!.Str("name"));
        // Only the same key takes a dead attempt's name over at once; others wait until it is abandoned.
        Assert.True(another.Status == HttpStatusCode.Conflict && another.Code == 6, another.Text);
        var taken = await _admin.PostReplyAsync(path, Body(path, folderId, "died-name"), otherKey);
        Assert.True(taken.Status == HttpStatusCode.Conflict && taken.Code == 6, taken.Text);
    }

    [Theory]
    [InlineData("/compute/v1/disks")]
    [InlineData("/compute/v1/instances")]
    public async Task A_retry_that_took_the_name_over_while_its_first_attempt_committed_hands_the_name_back(string path)
    {
        var folderId = await _admin.CreateFolderAsync();
        var (kind, key) = (KindOf(path), Names.Unique("handed-key"));
        var first = await _admin.PostReplyAsync(path, Body(path, folderId, "handed-name"), key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);
        var firstId = first.Body!["response"]!.Str("id");
        // As a retry leaves the name when it took it over before the first attempt's commit landed
        // (a silo declared dead while its write was still on its way).
        await Index.ReleaseNameAsync(folderId, kind, "handed-name", firstId);
        await Index.ReserveNameAsync(folderId, kind, "handed-name", DeadId(path), claimHash: ClaimHashOf(key));

        var retried = await _admin.PostReplyAsync(path, Body(path, folderId, "handed-name"), key);
        var other = await _admin.PostReplyAsync(path, Body(path, folderId, "handed-name"), Names.Unique("handed-other"));

        Assert.True(retried.Status == HttpStatusCode.OK && retried.Body!.Str("id") == first.Body.Str("id"), retried.Text);
        // The name went to the first attempt's resource, not back to the folder: a second resource of that name was made.
        Assert.True(other.Status == HttpStatusCode.Conflict && other.Code == 6, other.Text);
        await _admin.DoneAsync(HttpMethod.Delete, $"{path}/{firstId}");
        var afterDelete = await _admin.PostReplyAsync(path, Body(path, folderId, "handed-name"), Names.Unique("handed-after"));
        Assert.True(afterDelete.Status == HttpStatusCode.OK && afterDelete.Body!["error"] is null, afterDelete.Text);
    }

    private Stratum.Index.ResourceIndex Index => fixture.Stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<Stratum.Index.ResourceIndex>();

    private static string ClaimHashOf(string key) => Idempotency.ClaimKey(Caller.User("admin"), key)!;

    private static string KindOf(string path) => path.EndsWith("disks", StringComparison.Ordinal) ? "disk" : "instance";

    /// <summary>An id of the path's kind that no resource has.</summary>
    private static string DeadId(string path) => Placement.NewId(path.EndsWith("disks", StringComparison.Ordinal) ? ResourceIds.Disk : ResourceIds.Instance, 0);

    private static object Body(string path, string folderId, string name) => path.EndsWith("disks", StringComparison.Ordinal)
        ? new { folderId, name, size = GiB }
        : new { folderId, name, bootDiskSpec = new { diskSpec = new { size = GiB } } };

    [Fact]
    public async Task A_keyed_attach_retried_on_its_disk_s_own_shard_is_its_first_operation()
    {
        var folderId = await _admin.CreateFolderAsync();
        var diskId = (await CreateDisksAsync(folderId, 1))[0];
        // A key decided on the disk's own shard: the claim then rides in the attach's own transaction.
        var shards = await fixture.Stratum.SiloGrains.GetGrain<Stratum.Folders.IFolderInternalGrain>(folderId).GetDeploymentShardsAsync(new DeploymentOptions().Shards);
        var key = Enumerable.Range(0, 1000).Select(i => Names.Unique($"attach-{i}"))
            .First(k => ShardRows.KeyShard(Idempotency.ClaimKey(Caller.User("admin"), k)!, shards) == Placement.ShardOf(folderId, diskId, shards));
        var body = new { folderId, name = "attached", bootDiskSpec = new { diskId } };
        var first = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);

        var retried = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
        var reused = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, name = "other", bootDiskSpec = new { diskId } }, key);

        Assert.True(retried.Status == HttpStatusCode.OK && retried.Body!.Str("id") == first.Body.Str("id"), retried.Text);
        Assert.True(reused.Status == HttpStatusCode.Conflict && reused.Code == 10, reused.Text);
        Assert.Single(await _admin.AllAsync($"/compute/v1/instances?folderId={folderId}", "instances"));
    }

    [Fact]
    public async Task The_same_keyed_attach_sent_many_times_at_once_is_one_operation_for_all_and_keeps_its_key()
    {
        var folderId = await _admin.CreateFolderAsync();
        var disks = await CreateDisksAsync(folderId, 12);
        var shards = await fixture.Stratum.SiloGrains.GetGrain<Stratum.Folders.IFolderInternalGrain>(folderId).GetDeploymentShardsAsync(new DeploymentOptions().Shards);
        var groups = disks.Select(diskId => (Body: (object)new { folderId, name = $"at-once-{diskId}", bootDiskSpec = new { diskId } },
            // Keys decided on another shard than the disk's: claimed first, then run, then completed.
            Key: Enumerable.Range(0, 1000).Select(i => Names.Unique($"at-once-{i}"))
                .First(k => ShardRows.KeyShard(Idempotency.ClaimKey(Caller.User("admin"), k)!, shards) != Placement.ShardOf(folderId, diskId, shards)))).ToList();

        foreach (var (body, key) in groups)
        {
            // Losers found the claim before its operation was written, ran the same attach, were refused
            // "attached" (400) by the winner's commit, and deleted the winner's claim on their way out.
            var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _admin.PostReplyAsync("/compute/v1/instances", body, key)));
            Assert.All(replies, r => Assert.True(r.Status == HttpStatusCode.OK && r.Body!["error"] is null, r.Text));
            Assert.Single(replies.Select(r => r.Body!.Str("id")).Distinct());
        }

        var (firstBody, firstKey) = groups[0];
        var first = await _admin.PostReplyAsync("/compute/v1/instances", firstBody, firstKey);
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{first.Body!["response"]!.Str("id")}");
        var afterDelete = await _admin.PostReplyAsync("/compute/v1/instances", firstBody, firstKey);
        Assert.True(afterDelete.Status == HttpStatusCode.OK && afterDelete.Body!.Str("id") == first.Body.Str("id"), afterDelete.Text);
        Assert.Equal(disks.Count - 1, (await _admin.AllAsync($"/compute/v1/instances?folderId={folderId}", "instances")).Count);
    }

    [Fact]
    public async Task The_same_refused_keyed_attach_sent_many_times_at_once_is_refused_for_all_with_its_reason()
    {
        var folderId = await _admin.CreateFolderAsync();
        var disks = await CreateDisksAsync(folderId, 6);
        var shards = await fixture.Stratum.SiloGrains.GetGrain<Stratum.Folders.IFolderInternalGrain>(folderId).GetDeploymentShardsAsync(new DeploymentOptions().Shards);
        foreach (var diskId in disks)
        {
            await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new { folderId, bootDiskSpec = new { diskId } });
            // A key decided on another shard than the disk's: claimed there, then refused (the disk is attached) and forgotten.
            var key = Enumerable.Range(0, 1000).Select(i => Names.Unique($"refused-{i}"))
                .First(k => ShardRows.KeyShard(Idempotency.ClaimKey(Caller.User("admin"), k)!, shards) != Placement.ShardOf(folderId, diskId, shards));
            var body = new { folderId, bootDiskSpec = new { diskId } };

            var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _admin.PostReplyAsync("/compute/v1/instances", body, key)));

            // A request that found the claim gone (its claimer refused meanwhile) was 503 "claim changed".
            Assert.All(replies, r => Assert.True(r.Status == HttpStatusCode.BadRequest && r.Code == 9, r.Text));
        }
    }

    [Fact]
    public async Task A_keyed_snapshot_is_made_once_even_retried_after_it_was_deleted_and_its_key_is_taken_on_every_shard()
    {
        var folderId = await _admin.CreateFolderAsync();
        var disks = await CreateDisksAsync(folderId, 4);
        var key = Names.Unique("snapshot-key");
        var body = new { folderId, diskId = disks[0] };
        var first = await _admin.PostReplyAsync("/compute/v1/snapshots", body, key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);
        var snapshotId = first.Body!["response"]!.Str("id");
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/snapshots/{snapshotId}");

        // The snapshot is gone, but the key still names its request: the retry is answered, nothing is made again.
        var retried = await _admin.PostReplyAsync("/compute/v1/snapshots", body, key);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        Assert.Equal(first.Body.Str("id"), retried.Body!.Str("id"));
        Assert.Empty(await _admin.AllAsync($"/compute/v1/snapshots?folderId={folderId}", "snapshots"));

        // Another request with the key is refused wherever its work would run.
        foreach (var other in disks.Skip(1))
        {
            var reused = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{other}", idempotencyKey: key);
            Assert.True(reused.Status == HttpStatusCode.Conflict && reused.Code == 10, reused.Text);
        }
        Assert.Equal(disks.Count, (await _admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks")).Count);
    }

    [Fact]
    public async Task A_key_s_claim_stores_only_its_request_and_operation_id_and_a_retry_is_still_the_whole_first_operation()
    {
        var folderId = await _admin.CreateFolderAsync();
        var diskId = (await CreateDisksAsync(folderId, 1))[0];
        var shards = await fixture.Stratum.SiloGrains.GetGrain<Stratum.Folders.IFolderInternalGrain>(folderId).GetDeploymentShardsAsync(new DeploymentOptions().Shards);
        var made = (Body: (object)new { folderId, name = "made", bootDiskSpec = new { diskSpec = new { size = GiB } } }, Key: Names.Unique("slim-made"));
        // An attach whose key is decided on another shard than the disk's: claimed there first, then run.
        var attached = (Body: (object)new { folderId, name = "attached", bootDiskSpec = new { diskId } },
            Key: Enumerable.Range(0, 1000).Select(i => Names.Unique($"slim-attach-{i}"))
                .First(k => ShardRows.KeyShard(Idempotency.ClaimKey(Caller.User("admin"), k)!, shards) != Placement.ShardOf(folderId, diskId, shards)));
        var rows = fixture.Stratum.SiloService<ComputeRows>();

        foreach (var (body, key) in new[] { made, attached })
        {
            var first = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
            Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);

            // The operation and its instance are in the instance's row already: a claim that held them
            // again was a third of a deployed VM's stored bytes.
            var claimHash = Idempotency.ClaimKey(Caller.User("admin"), key)!;
            var claim = await rows.GetAsync(Placement.PartitionKey(Placement.Home(folderId, ShardRows.KeyShard(claimHash, shards))), ShardRows.ClaimPrefix + claimHash);
            Assert.NotNull(claim);
            Assert.Equal(["Fingerprint", "OperationId"], claim.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Order());
            Assert.Equal(first.Body.Str("id"), claim.GetString("OperationId"));

            var retried = await _admin.PostReplyAsync("/compute/v1/instances", body, key);
            Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(first.Body, retried.Body), $"{first.Text}\n{retried.Text}");
        }
    }

    /// <summary>Disks one after another, each done: they land on random shards of the folder.</summary>
    private async Task<List<string>> CreateDisksAsync(string folderId, int count)
    {
        var disks = new List<string>();
        for (var i = 0; i < count; i++)
        {
            disks.Add((await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB })).Str("id"));
        }
        return disks;
    }
}

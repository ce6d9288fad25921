using System.Net;
using Azure.Data.Tables;
using Stratum.Deployment;
using Stratum.Operations;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// One expiry for every Idempotency-Key: a keyed compute create's or delete's claim row answers
/// within the contract's window and is swept once older, so the key is new again, as an image's key
/// is after the same window.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class IdempotencyExpiryTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task A_keyed_delete_claim_is_kept_within_the_window_and_swept_after_it()
    {
        var folderId = await _admin.CreateFolderAsync();
        var first = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30 })).Str("id");
        // Disks land on the folder's shards by id: with five, the key is reused on other shards than the first's, too.
        var others = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            others.Add((await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30 })).Str("id"));
        }
        var second = others[0];
        var key = Names.Unique("delete-key");

        var deleted = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{first}", idempotencyKey: key);
        Assert.True(deleted.Status == HttpStatusCode.OK, deleted.Text);
        var replayed = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{first}", idempotencyKey: key);
        Assert.Equal(deleted.Body!.Str("id"), replayed.Body!.Str("id"));
        var janitor = fixture.Stratum.SiloGrains.GetGrain<IDataJanitorGrain>(0);

        // Within the window a sweep keeps the claim: the key still names the first request.
        await janitor.SweepClaimsAsync(Idempotency.Window);
        foreach (var other in others)
        {
            var reused = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{other}", idempotencyKey: key);
            Assert.True(reused.Status == HttpStatusCode.Conflict && reused.Code == 10, reused.Text);
            Assert.Equal(HttpStatusCode.OK, (await _admin.GetReplyAsync($"/compute/v1/disks/{other}")).Status);
        }

        // Once the claim is older than the window (here 1 s) the sweep removes it, and the key is new.
        var fresh = await Wait.ForAsync(async () =>
        {
            await janitor.SweepClaimsAsync(TimeSpan.FromSeconds(1));
            return await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{second}", idempotencyKey: key);
        }, reply => reply.Status == HttpStatusCode.OK, seconds: 30, describe: reply => reply.Text, pollMilliseconds: 500);
        var done = await _admin.WaitAsync(fresh.Body!);
        Assert.True(done["error"] is null, done.ToJsonString());
        Assert.NotEqual(deleted.Body!.Str("id"), fresh.Body!.Str("id"));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetReplyAsync($"/compute/v1/disks/{second}")).Status);
    }

    [Theory]
    [InlineData("/compute/v1/disks")]
    [InlineData("/compute/v1/instances")]
    public async Task A_keyed_create_answers_its_first_operation_within_the_window_and_creates_anew_after_it(string path)
    {
        var folderId = await _admin.CreateFolderAsync();
        object body = path.EndsWith("disks", StringComparison.Ordinal)
            ? new { folderId, size = 1L << 30 }
            : new { folderId, bootDiskSpec = new { diskSpec = new { size = 1L << 30 } } };
        var key = Names.Unique("create-key");
        var first = await _admin.PostReplyAsync(path, body, key);
        Assert.True(first.Status == HttpStatusCode.OK && first.Body!["error"] is null, first.Text);
        var firstId = first.Body!["response"]!.Str("id");
        var janitor = fixture.Stratum.SiloGrains.GetGrain<IDataJanitorGrain>(0);
        // A row outside the claims' key ranges (here with a claim's row key in a partition claims
        // never use) is not the sweep's to read, let alone delete.
        var rows = fixture.Stratum.SiloService<ComputeRows>();
        var decoy = new TableEntity("decoy", ShardRows.ClaimPrefix + Guid.NewGuid().ToString("N"));
        await rows.Table.AddEntityAsync(decoy);

        // Within the window a retry is the first request: the same operation, no second resource.
        await janitor.SweepClaimsAsync(Idempotency.Window);
        var retried = await _admin.PostReplyAsync(path, body, key);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        Assert.Equal(first.Body!.Str("id"), retried.Body!.Str("id"));
        Assert.Equal(firstId, retried.Body!["response"]!.Str("id"));

        // Once its claim is older than the window (here 1 s) the sweep removes it, and the key makes a new resource.
        var fresh = await Wait.ForAsync(async () =>
        {
            await janitor.SweepClaimsAsync(TimeSpan.FromSeconds(1));
            return await _admin.PostReplyAsync(path, body, key);
        }, reply => reply.Status != HttpStatusCode.OK || reply.Body!["response"]?["id"]?.GetValue<string>() != firstId,
            seconds: 30, describe: reply => reply.Text, pollMilliseconds: 500);
        Assert.True(fresh.Status == HttpStatusCode.OK && fresh.Body!["error"] is null, fresh.Text);
        Assert.NotEqual(first.Body!.Str("id"), fresh.Body!.Str("id"));
        var plural = path[(path.LastIndexOf('/') + 1)..];
        var made = (await _admin.GetReplyAsync($"{path}?folderId={folderId}")).Body![plural]!.AsArray().Select(r => r!.Str("id")).ToList();
        Assert.Equal(2, made.Count);
        Assert.Contains(firstId, made);
        Assert.Contains(fresh.Body!["response"]!.Str("id"), made);
        Assert.True((await rows.GetAsync(decoy.PartitionKey, decoy.RowKey)) is not null, "the sweep left rows outside the claims' ranges alone");
    }
}

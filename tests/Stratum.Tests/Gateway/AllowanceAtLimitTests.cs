using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// Near a folder's limit, raising allowance ahead of need must not take what other shards need:
/// creates up to the limit, spread over every shard at once, are all admitted.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AllowanceAtLimitTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Concurrent_creates_up_to_the_limit_over_all_shards_are_all_admitted()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.disks.count", 48);

        // Three waves: the first two leave each shard low (so it raises ahead), the last needs what is left.
        foreach (var wave in new[] { 16, 16, 16 })
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, wave).Select(_ => admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 })));
            Assert.All(replies, r => Assert.True(r.Status == System.Net.HttpStatusCode.OK, r.Text));
            await Task.WhenAll(replies.Select(r => admin.WaitAsync(r.Body!, seconds: 30)));
        }

        var quotas = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("48", quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
        var over = await admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 });
        var done = over.Status == System.Net.HttpStatusCode.OK ? await admin.WaitAsync(over.Body!, seconds: 30) : over.Body!;
        Assert.Contains("compute.disks.count", done.ToJsonString());
    }

    [Fact]
    public async Task A_lowered_limit_holds_for_the_shards_that_took_headroom_under_the_old_one()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.disks.count", 1000);
        // Under a high limit every shard these land on takes headroom (dozens of disks) with its first create.
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 })));
        await Task.WhenAll(first.Select(r => admin.WaitAsync(r.Body!, seconds: 30)));

        await admin.SetQuotaAsync(folderId, "compute.disks.count", 10);
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30 })));
        var outcomes = await Task.WhenAll(replies.Select(async r => r.Status == System.Net.HttpStatusCode.OK ? await admin.WaitAsync(r.Body!, seconds: 30) : r.Body!));

        // Two more fit under the new limit; the rest are refused naming the quota.
        Assert.Equal(2, outcomes.Count(o => o["error"] is null && o["done"]?.GetValue<bool>() == true));
        Assert.All(outcomes.Where(o => !(o["error"] is null && o["done"]?.GetValue<bool>() == true)), o => Assert.Contains("compute.disks.count", o.ToJsonString()));
        var quotas = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("10", quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
    }
}

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
}

using Microsoft.Extensions.DependencyInjection;
using Stratum.Diagnostics;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>A deployment shard asks for more quota allowance before it runs out, so its flushes do not wait for the folder.</summary>
public sealed class AllowanceAheadTests : IAsyncLifetime
{
    private StratumCluster _stratum = null!;

    public async Task InitializeAsync() =>
        _stratum = await StratumCluster.StartAsync(extra: new Dictionary<string, string?> { ["Stratum:Deployment:Shards"] = "1" });

    public Task DisposeAsync() => _stratum.DisposeAsync().AsTask();

    [Fact]
    public async Task Only_the_first_create_waits_for_an_allowance_the_rest_find_it_raised_ahead()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.disks.count", 10_000);
        // This silo's own timings; no other test uses this cluster.
        var timings = _stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<StageTimings>();

        // Four times the headroom (64) one after another: without raising ahead, about one create in 64 would wait.
        for (var i = 0; i < 256; i++)
        {
            await admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30 });
        }

        var stages = timings.Read();
        Assert.Equal(1, stages[StageTimings.ShardAllowance].Count);
        Assert.True(stages[StageTimings.ShardRaiseAhead].Count >= 3, $"raised ahead {stages[StageTimings.ShardRaiseAhead].Count} times");
        var usage = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray()
            .Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage");
        Assert.Equal("256", usage);
    }

    [Fact]
    public async Task A_shard_that_stays_busy_asks_for_more_headroom_than_it_started_with()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.disks.count", 10_000);

        // 100 creates: the first raise ahead (at 33) asks for 64 more, the ones after it for twice as much each time.
        for (var i = 0; i < 100; i++)
        {
            await admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30 });
        }

        // A fixed headroom never holds more than 64 beyond usage; a raise ahead may still be on its way.
        var folder = _stratum.SiloGrains.GetGrain<Folders.IFolderInternalGrain>(folderId);
        var held = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((held = (await folder.GetAllowanceAsync(0)).GetValueOrDefault("compute.disks.count") - 100) <= 64 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(held > 64, $"the shard holds {held} beyond its usage of 100");
        Assert.True(held <= 256, $"the shard holds {held} beyond its usage of 100, more than the largest headroom");
    }
}

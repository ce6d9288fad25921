using System.Collections.Concurrent;
using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cluster;

/// <summary>
/// Hundreds of disks from one pooled image at once on three silos with state on Azurite; a silo
/// is killed midway and failed calls are retried with their Idempotency-Keys. Afterwards every
/// acknowledged disk exists once, the layer's count equals its holders, and usage equals what exists.
/// </summary>
public sealed class DeployFailureTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Disks = 500;

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public async Task Killing_a_silo_during_a_deploy_flood_loses_and_doubles_nothing(int shards)
    {
        await using var stratum = await StratumCluster.StartAsync(silos: 3, durable: true,
            new Dictionary<string, string?> { ["Stratum:Deployment:Shards"] = shards.ToString() });
        await using var files = await FileServer.StartAsync();
        var admin = stratum.Http();
        admin.Timeout = TimeSpan.FromSeconds(60);
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        await admin.SetQuotaAsync(folderId, "compute.disks.count", 10_000);
        await admin.SetQuotaAsync(folderId, "compute.disks.size", 1L << 50);
        var image = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, pooled = true, uri = files.Add("base.img", DiskImages.Raw(64 * 1024)) });

        var acknowledged = new ConcurrentDictionary<int, string>();
        var retries = 0;
        var killed = false;
        var kill = new SemaphoreSlim(1);
        await Parallel.ForEachAsync(Enumerable.Range(0, Disks), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (true)
            {
                var reply = await TryAsync(() => admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 1L << 30, imageId = image.Str("id") }, $"disk-{i}"));
                if (reply?.Status == HttpStatusCode.OK && reply.Body!["done"]!.GetValue<bool>() && reply.Body["error"] is null)
                {
                    acknowledged[i] = reply.Body["response"]!.Str("id");
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"disk-{i} never succeeded: {reply?.Text}");
                Interlocked.Increment(ref retries);
                await Task.Delay(Random.Shared.Next(50, 250));
            }
            if (acknowledged.Count >= Disks / 4 && !killed && await kill.WaitAsync(0))
            {
                killed = true;
                await stratum.Cluster.KillSiloAsync(stratum.Cluster.Silos[^1]);
            }
        });
        Assert.True(killed);
        output.WriteLine($"{shards} shard(s): {Disks} disks acknowledged, {retries} retried calls after the kill");

        var disks = await admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks");
        var ids = disks.Select(d => d.Str("id")).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Disks, acknowledged.Values.Distinct().Count());
        Assert.True(acknowledged.Values.All(ids.Contains), "every acknowledged disk exists");
        Assert.Equal(Disks, ids.Count);

        var layer = (await admin.GetReplyAsync($"/compute/v1/layers/{image.Str("layerId")}")).Body!;
        Assert.Equal((Disks + 1).ToString(), layer.Str("referenceCount"));
        var quotas = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal(Disks.ToString(), quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
        Assert.Equal(((long)Disks << 30).ToString(), quotas.Single(q => q!.Str("name") == "compute.disks.size")!.Str("usage"));
    }

    private static async Task<Api.Reply?> TryAsync(Func<Task<Api.Reply>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}

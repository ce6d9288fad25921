using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cluster;

/// <summary>
/// Three silos with grain state on Azurite: after a silo is killed, every acknowledged image,
/// family member and binding is still there.
/// </summary>
public sealed class SiloFailureTests
{
    [Fact]
    public async Task Killing_a_silo_loses_nothing_that_was_acknowledged()
    {
        await using var stratum = await StratumCluster.StartAsync(silos: 3, durable: true);
        await using var files = await FileServer.StartAsync();
        var admin = stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.images.count", 100);
        await admin.GrantAsync(folderId, "viewer", "bob");

        var images = new List<(string Id, string Checksum)>();
        for (var i = 0; i < 12; i++)
        {
            var image = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
                new { folderId, name = $"img-{i}", family = i % 2 == 0 ? "even" : "odd", uri = files.Add(Names.Unique("k"), DiskImages.Qcow2((i + 4) * DiskImages.MiB)) });
            images.Add((image.Str("id"), image.Str("checksum")));
        }
        var imageBinding = await admin.PostReplyAsync($"/compute/v1/images/{images[0].Id}:setAccessBindings",
            new { accessBindings = new[] { new { roleId = "compute.images.user", subject = new { id = "carol", type = "userAccount" } } } });
        await admin.WaitAsync(imageBinding.Body!);

        var victim = stratum.Cluster.Silos[1];
        await stratum.Cluster.KillSiloAsync(victim);

        var bob = stratum.Http("dev-bob");
        foreach (var (id, checksum) in images)
        {
            var reply = await RetryAsync(() => bob.GetReplyAsync($"/compute/v1/images/{id}"));
            Assert.Equal("READY", reply.Body!.Str("status"));
            Assert.Equal(checksum, reply.Body!.Str("checksum"));
        }
        Assert.Equal(images[10].Id, (await RetryAsync(() => bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=even"))).Body!.Str("id"));
        Assert.Equal(images[11].Id, (await RetryAsync(() => bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=odd"))).Body!.Str("id"));
        var families = (await RetryAsync(() => bob.GetReplyAsync($"/compute/v1/families?folderId={folderId}"))).Body!["families"]!.AsArray();
        Assert.All(families, f => Assert.Equal("6", f!.Str("imageCount")));
        Assert.Equal(12, (await admin.ListImagesAsync(folderId)).Count);
        var quota = (await RetryAsync(() => admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas"))).Body!["quotas"]!.AsArray();
        Assert.Equal("12", quota.Single(q => q!.Str("name") == "compute.images.count")!.Str("usage"));
        Assert.Contains("carol", (await RetryAsync(() => admin.GetReplyAsync($"/compute/v1/images/{images[0].Id}:listAccessBindings"))).Text);
        Assert.Contains("\"bob\"", (await RetryAsync(() => admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}:listAccessBindings"))).Text);
    }

    [Fact]
    public async Task An_import_in_flight_on_a_killed_silo_is_finished_elsewhere()
    {
        await using var stratum = await StratumCluster.StartAsync(silos: 3, durable: true);
        await using var files = await FileServer.StartAsync();
        var admin = stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.images.count", 100);

        // Start slow imports until one runs on a silo other than the first (which holds the test
        // cluster's membership), then kill that silo while its data is still moving.
        var management = stratum.Client.GetGrain<IManagementGrain>(0);
        Api.Reply started;
        Orleans.TestingHost.InProcessSiloHandle? host;
        var content = DiskImages.Raw(1 << 20);
        do
        {
            started = await admin.PostReplyAsync("/compute/v1/images", new { folderId, uri = files.AddSlow(Names.Unique("slow"), content, TimeSpan.FromMilliseconds(250)) });
            var imageId = started.Body!["metadata"]!.Str("imageId");
            var address = await management.GetActivationAddress(stratum.Client.GetGrain<IImageGrain>(imageId));
            host = stratum.Cluster.Silos.Skip(1).FirstOrDefault(s => s.SiloAddress.Equals(address));
        }
        while (host is null);
        Assert.False(started.Body!["done"]!.GetValue<bool>());
        await stratum.Cluster.KillSiloAsync(host);

        var id = started.Body!["metadata"]!.Str("imageId");
        // Reading the image wakes it on a live silo, which resumes the transfer.
        var image = await Wait.ForAsync(() => admin.GetReplyAsync($"/compute/v1/images/{id}"),
            reply => reply.Status == HttpStatusCode.OK && reply.Body!.Str("status") != "CREATING", seconds: 90, describe: reply => reply.Text, pollMilliseconds: 250);

        Assert.Equal("READY", image.Body!.Str("status"));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), image.Body!.Str("checksum"));
        var done = await admin.WaitAsync(started.Body!);
        Assert.Equal(id, done["response"]!.Str("id"));

        // Each import reserved its size before data moved; the one restarted after the kill is
        // held once, so usage is exactly what the READY images store.
        await Wait.UntilAsync(async () => (await admin.ListImagesAsync(folderId)).All(i => i.Str("status") != "CREATING"), seconds: 60);
        var images = await admin.ListImagesAsync(folderId);
        var quotas = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal(images.Where(i => i.Str("status") == "READY").Sum(i => long.Parse(i.Str("storageSize"))),
            long.Parse(quotas.First(q => q!.Str("name") == "compute.images.size")!.Str("usage")));
    }

    /// <summary>Grains of the dead silo answer again elsewhere after a moment: wait with a deadline.</summary>
    private static async Task<Api.Reply> RetryAsync(Func<Task<Api.Reply>> call)
    {
        return await Wait.ForAsync(call, reply => reply.Status == HttpStatusCode.OK, seconds: 60, describe: reply => reply.Text, pollMilliseconds: 200);
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cluster;

/// <summary>
/// Schedules on real time, three silos with grain state and reminders on Azurite: a schedule fires
/// on its own while its image is active (the timer), and one set just before its image's silo is
/// killed fires after (the reminder wakes the image on a live silo). Neither is watched by reading
/// the image, which would wake it: the list (the index) shows when the change was made.
/// </summary>
public sealed class ScheduleSurvivalTests
{
    /// <summary>The reminder behind each timer ticks every 10 s here (a minute by default), so a lost timer costs a test seconds, not minutes.</summary>
    private static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Stratum:Lifecycle:ReminderPeriod"] = "00:00:10",
    };

    [Fact]
    public async Task A_schedule_fires_on_time_while_active_and_after_its_silo_is_killed()
    {
        await using var stratum = await StratumCluster.StartAsync(silos: 3, durable: true, extra: Settings,
            siloServices: s => s.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(5)));
        await using var files = await FileServer.StartAsync();
        var admin = stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.images.count", 100);

        // While active: the timer fires it.
        var active = await ImportAsync(admin, files, folderId);
        var lateActive = await DeprecateAndMeasureAsync(admin, folderId, active, TimeSpan.FromSeconds(3), kill: null);

        // Set just before its silo dies: the reminder fires it on another silo.
        var management = stratum.Client.GetGrain<IManagementGrain>(0);
        string imageId;
        Orleans.TestingHost.InProcessSiloHandle? host;
        do
        {
            imageId = await ImportAsync(admin, files, folderId);
            var address = await management.GetActivationAddress(stratum.Client.GetGrain<IImageGrain>(imageId));
            host = stratum.Cluster.Silos.Skip(1).FirstOrDefault(s => s.SiloAddress.Equals(address));
        }
        while (host is null);
        var lateAfterKill = await DeprecateAndMeasureAsync(admin, folderId, imageId, TimeSpan.FromSeconds(8), () => stratum.Cluster.KillSiloAsync(host));

        Console.WriteLine($"schedule lateness: {lateActive.TotalMilliseconds:F0} ms while active (timer), {lateAfterKill.TotalMilliseconds:F0} ms after its silo was killed (reminder)");
        Assert.True(lateActive < TimeSpan.FromSeconds(10), $"{lateActive} late while active");
        Assert.True(lateAfterKill < TimeSpan.FromSeconds(60), $"{lateAfterKill} late after the kill");
    }

    private static async Task<string> ImportAsync(HttpClient admin, FileServer files, string folderId) =>
        (await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family = "survive", uri = files.Add(Names.Unique("s"), DiskImages.Raw(8192)) })).Str("id");

    /// <summary>Schedules DEPRECATED a little ahead, optionally kills a silo, and returns how late the list showed it.</summary>
    private static async Task<TimeSpan> DeprecateAndMeasureAsync(HttpClient admin, string folderId, string imageId, TimeSpan ahead, Func<Task>? kill)
    {
        var due = DateTimeOffset.UtcNow + ahead;
        await admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:deprecate", new { deprecateAt = Releases.ReleaseFixture.Time(due) });
        if (kill is not null)
        {
            await kill();
        }
        // Up to 90 s after its deprecateAt.
        await Wait.ForAsync(() => admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=deprecation.state%3D%22DEPRECATED%22"),
            reply => reply.Status == HttpStatusCode.OK && reply.Body!["images"]!.AsArray().Any(i => i!.Str("id") == imageId),
            seconds: 90 + Math.Max(0, (int)Math.Ceiling((due - DateTimeOffset.UtcNow).TotalSeconds)), describe: reply => $"{imageId} not DEPRECATED: {reply.Text}", pollMilliseconds: 100);
        return DateTimeOffset.UtcNow - due;
    }
}

/// <summary>
/// The recycle bin across a silo loss, on a test clock shared by three silos on Azurite: purges
/// come due, a silo dies while they run, and restores race them; each image ends restored or
/// purged, never both or neither, with quota exact.
/// </summary>
public sealed class RecycleBinSurvivalTests
{
    [Fact]
    public async Task Restores_racing_purges_across_a_killed_silo_each_end_in_exactly_one_with_quota_exact()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var stratum = await StratumCluster.StartAsync(silos: 3, durable: true,
            siloServices: s => s.AddSingleton(new Stratum.Releases.LifecycleClock(clock)));
        await using var files = await FileServer.StartAsync();
        var admin = stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.images.count", 100);
        await admin.DoneAsync(HttpMethod.Patch, $"/resource-manager/v1/folders/{folderId}", new { recycleBin = new { retentionHours = 1 } });

        var management = stratum.Client.GetGrain<IManagementGrain>(0);
        var images = new List<(string Id, long Size)>();
        for (var i = 0; i < 16; i++)
        {
            var image = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family = "bin", uri = files.Add(Names.Unique("b"), DiskImages.Raw(8192 * (i + 1))) });
            images.Add((image.Str("id"), long.Parse(image.Str("storageSize"), System.Globalization.CultureInfo.InvariantCulture)));
            await admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{image.Str("id")}");
        }
        // The silo (not the first, which holds the test cluster's membership) hosting the most binned images.
        var addresses = await Task.WhenAll(images.Select(i => management.GetActivationAddress(stratum.Client.GetGrain<IImageGrain>(i.Id)).AsTask()));
        var victim = stratum.Cluster.Silos.Skip(1).MaxBy(s => addresses.Count(a => s.SiloAddress.Equals(a)))!;

        // Restores go out a few milliseconds apart while the purges come due (about half way) and the silo dies.
        var halfSent = new TaskCompletionSource();
        var restoring = Task.Run(async () =>
        {
            var sent = new List<Task<Api.Reply>>();
            foreach (var image in images)
            {
                sent.Add(RetryAsync(() => admin.PostReplyAsync($"/compute/v1/images/{image.Id}:restore", new { })));
                if (sent.Count == images.Count / 2)
                {
                    halfSent.SetResult();
                }
                await Task.Delay(10);
            }
            return await Task.WhenAll(sent);
        });
        await halfSent.Task;
        await Task.Delay(30);
        clock.Advance(TimeSpan.FromHours(1));
        await stratum.Cluster.KillSiloAsync(victim);
        var outcomes = await restoring;

        // A restore's reply can be lost with its silo while its change was made: what counts is where each image ends.
        Assert.All(outcomes, reply => Assert.True(reply.Status is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, reply.Text));
        var restored = new List<(string Id, long Size)>();
        foreach (var image in images)
        {
            // A purge cut short by the kill is finished by the image's next activation and, while a step
            // fails (a call to a grain of the dead silo waits up to its 30 s timeout), retried every 5 s.
            var now = await Wait.ForAsync(() => admin.GetReplyAsync($"/compute/v1/images/{image.Id}"),
                reply => reply.Status == HttpStatusCode.NotFound || (reply.Status == HttpStatusCode.OK && reply.Body!.Str("status") == "READY"),
                seconds: 180, describe: reply => $"{image.Id}: neither restored nor purged: {reply.Status} {reply.Text}", pollMilliseconds: 200);
            if (now.Status == HttpStatusCode.OK)
            {
                restored.Add(image);
            }
        }
        Console.WriteLine($"restore vs purge across a silo kill: {restored.Count} of {images.Count} restored, the others purged");
        // A move out of the bin that the kill interrupted is finished by the image's next activation, or by the retry of the active one.
        await Wait.UntilAsync(async () => (await admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&view=RECYCLE_BIN")).Body!["images"]!.AsArray().Count == 0,
            seconds: 90, what: "The recycle bin emptying of restored and purged images");
        Assert.Equal(restored.Select(r => r.Id).Order(), (await admin.ListImagesAsync(folderId)).Select(i => i.Str("id")).Order());
        var quotas = (await RetryAsync(() => admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas"))).Body!;
        Assert.Equal((restored.Count, restored.Sum(r => r.Size)),
            (Releases.ReleaseFixture.Usage(quotas, "compute.images.count"), Releases.ReleaseFixture.Usage(quotas, "compute.images.size")));
    }

    /// <summary>Calls to the dead silo's grains fail until they answer elsewhere: retry those (503 / 500) with a deadline.</summary>
    private static async Task<Api.Reply> RetryAsync(Func<Task<Api.Reply>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var reply = await call();
            if ((int)reply.Status < 500 || DateTime.UtcNow > deadline)
            {
                return reply;
            }
            await Task.Delay(200);
        }
    }
}

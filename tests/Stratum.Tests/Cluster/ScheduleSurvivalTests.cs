using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
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
        var deadline = due.AddSeconds(90);
        while (true)
        {
            var reply = await admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=deprecation.state%3D%22DEPRECATED%22");
            if (reply.Status == HttpStatusCode.OK && reply.Body!["images"]!.AsArray().Any(i => i!.Str("id") == imageId))
            {
                return DateTimeOffset.UtcNow - due;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{imageId} was not DEPRECATED 90 s after its deprecateAt: {reply.Text}");
            await Task.Delay(100);
        }
    }
}

using System.Diagnostics;
using Stratum.Bench.Grains;

namespace Stratum.Bench;

/// <summary>
/// The Orleans-client path: latestByFamily through the client (a grain call, and Stratum.Client's
/// cache) against a no-op grain call and against a grain call that moves the same arguments and
/// image without looking anything up, each
/// with the same number of callers for the same time, alternated, in this one process.
/// </summary>
public static class ClientPath
{
    /// <summary>What the silos need to host the no-op grain (bench/Stratum.Bench.Grains, copied next to this tool).</summary>
    public static IReadOnlyDictionary<string, string> SiloEnvironment { get; } = new Dictionary<string, string>
    {
        ["Stratum__Diagnostics__GrainAssembly"] = typeof(IPingGrain).Assembly.Location,
    };

    /// <summary>Rates in calls/s; <paramref name="cached"/> is latestByFamily as Stratum.Client serves it, from its feed-fresh cache.</summary>
    public static async Task<(double Ping, double Echo, double Latest, double Cached)> MeasureAsync(IClusterClient client, Caller reader, string folderId, string family,
        Func<Task> cached, int callers, TimeSpan duration, int rounds)
    {
        var ping = client.GetGrain<IPingGrain>(0);
        var catalog = client.GetGrain<IImageCatalogGrain>(0);
        await ping.HoldAsync(await catalog.GetLatestByFamilyAsync(reader, folderId, family));
        Task Ping() => ping.PingAsync();
        Task Echo() => ping.EchoAsync(reader, folderId, family);
        Task Latest() => catalog.GetLatestByFamilyAsync(reader, folderId, family);
        await RateAsync(Ping, callers, TimeSpan.FromSeconds(2));
        await RateAsync(Latest, callers, TimeSpan.FromSeconds(2));
        await RateAsync(cached, callers, TimeSpan.FromSeconds(2));
        double pings = 0, echoes = 0, latests = 0, hits = 0;
        for (var round = 0; round < rounds; round++)
        {
            pings += await RateAsync(Ping, callers, duration);
            echoes += await RateAsync(Echo, callers, duration);
            latests += await RateAsync(Latest, callers, duration);
            hits += await RateAsync(cached, callers, duration);
        }
        return (pings / rounds, echoes / rounds, latests / rounds, hits / rounds);
    }

    /// <summary>Calls per second with <paramref name="callers"/> loops each awaiting one call at a time.</summary>
    private static async Task<double> RateAsync(Func<Task> call, int callers, TimeSpan duration)
    {
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await call();
                Interlocked.Increment(ref calls);
            }
        })));
        return calls / clock.Elapsed.TotalSeconds;
    }
}

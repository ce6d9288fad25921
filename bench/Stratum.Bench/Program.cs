using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratum;
using Stratum.Client;
using Stratum.Bench;
using Stratum.LoadTest;

// bench/run: the latest-in-family lookup against its ceilings, on one machine (see README "Benchmarks").
if (args is ["bare", var barePortArgument, var bareBodyFile])
{
    await BareEndpoint.RunAsync(int.Parse(barePortArgument, CultureInfo.InvariantCulture), bareBodyFile);
    return 0;
}
if (args is ["import", .. var importArgs])
{
    return await ImportBench.RunAsync(importArgs, Console.Out);
}
if (args is ["transfer", .. var transferArguments])
{
    return await TransferBench.RunAsync(transferArguments, Console.Out);
}
var options = BenchOptions.Parse(args);
var log = Console.Out;
log.WriteLine($"machine: {Machine.Describe()}; load average {Machine.LoadAverage()}");
const string Family = "bench";
const int WarmUpSeconds = 10;
var ratios = new List<string>();

// The stack as the AppHost runs it (two silos, a gateway), first with nothing collecting telemetry.
if (options.TelemetryOff)
{
    await using var cluster = await LocalCluster.StartAsync(new LoadOptions { Local = true, Silos = 2, Configuration = "Release", Telemetry = false, Environment = ClientPath.SiloEnvironment }, log);
    var (admin, bob, preparation, folderId, path) = await PrepareAsync(cluster);
    await using (preparation)
    {
        var ratio = await HttpAsync(cluster, bob, path, "telemetry off");
        ratios.Add($"telemetry off: gateway/bare {ratio:F2} (goal >= 0.90)");

        var client = await ConnectAsync(cluster);
        var stratum = client.Services.GetRequiredService<Stratum.Client.StratumClient>();
        var (ping, echo, latest, cached) = await ClientPath.MeasureAsync(client.Services.GetRequiredService<IClusterClient>(), Caller.User("bob"), folderId, Family,
            () => stratum.GetLatestByFamilyAsync(folderId, Family), options.ClientCallers, TimeSpan.FromSeconds(options.Seconds), options.Rounds);
        log.WriteLine();
        log.WriteLine($"Orleans client, {options.ClientCallers} callers, {options.Seconds}s x {options.Rounds} round(s) alternated:");
        log.WriteLine($"no-op grain call:                    {ping,10:F0} calls/s");
        log.WriteLine($"call moving the same arguments+image: {echo,10:F0} calls/s");
        log.WriteLine($"latestByFamily:                      {latest,10:F0} calls/s");
        log.WriteLine($"latestByFamily, Stratum.Client cache:  {cached,10:F0} calls/s");
        log.WriteLine($"ratio latest/no-op: {latest / ping:F2} as a grain call, {cached / ping:F2} through Stratum.Client (goal >= 0.80); latest/same-payload call: {latest / echo:F2}");
        await client.StopAsync();

        var secondGateway = await cluster.StartGatewayAsync("gateway2");
        var readers = new[] { bob, Http(secondGateway, "dev-bob") };
        var delays = await Freshness.MeasureAsync(admin, readers, folderId, "fresh", preparation.ServeNewImageAsync, options.FreshnessSamples);
        log.WriteLine();
        log.WriteLine($"Freshness: {delays.Count} new images; time from READY (operation seen done) until both gateways return it to a reader with the old answer cached:");
        log.WriteLine(Percentiles(delays) + " (goal p99 <= 1000 ms)");
        var idle = await Freshness.MeasureAsync(admin, readers, folderId, "idle", preparation.ServeNewImageAsync, 5, TimeSpan.FromSeconds(6));
        log.WriteLine($"the same after 6 s without news (the feed's queue read at its idle rate): {Percentiles(idle)}");
        log.WriteLine($"logs: {cluster.Logs}");
    }
}

// Then as `dotnet run --project src/AppHost` runs it: the dashboard receiving every process's telemetry.
if (options.TelemetryOn)
{
    await using var cluster = await LocalCluster.StartAsync(new LoadOptions { Local = true, Silos = 2, Configuration = "Release", Telemetry = true }, log);
    var (_, bob, preparation, _, path) = await PrepareAsync(cluster);
    await using (preparation)
    {
        var dashboardCpu = cluster.DashboardCpu;
        var clock = Stopwatch.StartNew();
        var ratio = await HttpAsync(cluster, bob, path, "telemetry on (the AppHost's configuration, the dashboard receiving)");
        log.WriteLine($"the dashboard used {(cluster.DashboardCpu - dashboardCpu).TotalSeconds / clock.Elapsed.TotalSeconds:P0} of a core meanwhile; logs: {cluster.Logs}");
        ratios.Add($"telemetry on:  gateway/bare {ratio:F2} (goal >= 0.80)");
    }
}

log.WriteLine();
log.WriteLine("latestByFamily over HTTP, the stack as the AppHost runs it:");
ratios.ForEach(log.WriteLine);
log.WriteLine($"load average at the end {Machine.LoadAverage()}");
return 0;

// A folder bob may read, with an image in the family he looks up.
async Task<(HttpClient Admin, HttpClient Bob, Preparation Preparation, string FolderId, string Path)> PrepareAsync(LocalCluster cluster)
{
    var admin = Http(cluster.GatewayUrl, "dev-admin");
    var preparation = new Preparation(admin);
    var folderId = await preparation.CreateFolderAsync(count: 0);
    await preparation.GrantAsync(folderId, "viewer", "bob");
    await preparation.PublishAsync(folderId, Family);
    return (admin, Http(cluster.GatewayUrl, "dev-bob"), preparation, folderId, $"/compute/v1/images:latestByFamily?folderId={folderId}&family={Family}");
}

// latestByFamily through the gateway against a bare endpoint serving the same body: same wrk load, rounds alternated.
async Task<double> HttpAsync(LocalCluster cluster, HttpClient bob, string path, string label)
{
    var body = await bob.GetByteArrayAsync(path);
    var bodyFile = Path.Combine(cluster.Logs, "latest.json");
    await File.WriteAllBytesAsync(bodyFile, body);
    var barePort = Stratum.Tools.AzuriteProcess.FreePort();
    using var bare = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(BareEndpoint).Assembly.Location}\" bare {barePort} \"{bodyFile}\"") { RedirectStandardOutput = true })!;
    try
    {
        await Stratum.Tools.AzuriteProcess.WaitForPortAsync(barePort, bare);
        var bareUrl = $"http://127.0.0.1:{barePort}{path}";
        var gatewayUrl = $"{cluster.GatewayUrl}{path}";
        // Warm both (JIT up to tier 1, connections, the gateway's cache) before measuring: after 3 s
        // of warm-up the gateway's first measured round still ran at 40 % of its second (tiered
        // compilation lags on a busy 2-core machine), which made the ratio a measure of warm-up.
        await WrkResult.RunAsync("warm-up", bareUrl, options.Connections, WarmUpSeconds, null);
        await WrkResult.RunAsync("warm-up", gatewayUrl, options.Connections, WarmUpSeconds, "dev-bob");
        var http = new List<WrkResult>();
        var silos = new SiloWork(0, 0, 0, 0);
        var clock = new Stopwatch();
        for (var round = 0; round < options.Rounds; round++)
        {
            http.Add(await WrkResult.RunAsync("bare", bareUrl, options.Connections, options.Seconds, null));
            // What the silos do while the gateway serves cache hits is their idle work: the feed's pulses and queue reads, stream agents, membership.
            var before = await cluster.ReadSiloWorkAsync();
            clock.Start();
            http.Add(await WrkResult.RunAsync("gateway", gatewayUrl, options.Connections, options.Seconds, "dev-bob"));
            clock.Stop();
            silos = silos.Plus((await cluster.ReadSiloWorkAsync()).Minus(before));
        }
        log.WriteLine();
        log.WriteLine($"HTTP latestByFamily, {label}; {body.Length}-byte body; wrk -t2 -c{options.Connections} -d{options.Seconds}s, {options.Rounds} round(s) alternated:");
        log.WriteLine($"{"target",-10} {"requests/s",12} {"p50 ms",8} {"p99 ms",8} {"non-2xx",8}");
        foreach (var run in http)
        {
            log.WriteLine($"{run.Target,-10} {run.RequestsPerSecond,12:F0} {run.P50Ms,8:F2} {run.P99Ms,8:F2} {run.Errors,8}");
        }
        var ratio = http.Where(r => r.Target == "gateway").Average(r => r.RequestsPerSecond) / http.Where(r => r.Target == "bare").Average(r => r.RequestsPerSecond);
        log.WriteLine($"ratio gateway/bare: {ratio:F2}");
        var seconds = clock.Elapsed.TotalSeconds;
        log.WriteLine($"the silos meanwhile (gateway rounds): {silos.CpuSeconds / seconds:P0} of a core together; storage requests/s: " +
            $"queue {silos.Queue / seconds:F1}, table {silos.Table / seconds:F1}, blob {silos.Blob / seconds:F1}");
        return ratio;
    }
    finally
    {
        bare.Kill();
    }
}

static string Percentiles(List<double> delays)
{
    delays.Sort();
    double At(double q) => delays[Math.Min(delays.Count - 1, (int)Math.Ceiling(q * delays.Count) - 1)];
    return $"p50 {At(0.5):F0} ms, p99 {At(0.99):F0} ms, max {delays[^1]:F0} ms";
}

static HttpClient Http(string baseUrl, string token)
{
    var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return http;
}

// Through Stratum.Client, as bob: every call carries his token, which the silo verifies.
static async Task<IHost> ConnectAsync(LocalCluster cluster)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
    builder.Logging.ClearProviders();
    builder.AddStratumClient(o =>
    {
        o.ClusterId = cluster.ClusterId;
        o.StorageConnectionString = cluster.Storage;
        o.Token = "dev-bob";
        // The feed keeps Stratum.Client's latest cache fresh, as a service using the package runs it.
        o.ChangeFeed = true;
    });
    var host = builder.Build();
    await host.StartAsync();
    return host;
}

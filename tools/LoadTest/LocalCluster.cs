using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Stratum.LoadTest;

/// <summary>
/// With <c>--local</c>: Azurite, N silo processes and a gateway process of this checkout, on free
/// loopback ports, each logging to a file. Samples their memory and the silos' storage-request
/// counters while the run goes on, and kills them all at the end, or when the tool is interrupted
/// or killed (LocalCluster.Stopping.cs).
/// </summary>
public sealed partial class LocalCluster : IAsyncDisposable
{
    private readonly List<(string Name, Process Process)> _processes = [];
    private readonly List<(Process Process, int HttpPort)> _silos = [];
    private readonly Dictionary<int, (long Table, long Blob, long Queue)> _storage = [];
    private readonly CancellationTokenSource _sampling = new();
    private Process _gateway = null!;
    private Tools.AzuriteProcess? _azurite;
    private (long Table, long Blob, long Queue) _atMark;
    private Task _sampler = Task.CompletedTask;
    private Func<string, (Process, string)> _startGateway = null!;

    public string ClusterId { get; } = "lt" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The JWTs this cluster's silos and gateway accept besides the development tokens: signed with a key of this run.</summary>
    public Security.JwtOptions Jwt { get; } = new()
    {
        Issuer = "https://loadtest.stratum.invalid",
        Audience = "stratum",
        SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    /// <summary>A token of this cluster for any caller, service accounts too (development tokens name only admin, alice and bob).</summary>
    public string TokenFor(Caller caller) => Security.JwtIssuer.Issue(Jwt, caller, TimeSpan.FromHours(12));
    public string Storage { get; private set; } = "";
    public string GatewayUrl { get; private set; } = "";
    /// <summary>The processes' logs, kept after the run; Azurite's data in its <see cref="AzuriteData"/> subfolder is not.</summary>
    public string Logs { get; } = Tools.OwnedTempDirectories.Create("stratum-loadtest-", abandonedPart: AzuriteData);

    private const string AzuriteData = "azurite";
    public double SilosPeakMb { get; private set; }
    public double GatewayPeakMb { get; private set; }

    /// <summary>
    /// Table and blob requests the silos sent since <see cref="MarkStorage"/> (a killed silo's count as
    /// last seen); the change feed's queue requests are left out, as they were from the first reports.
    /// </summary>
    public long StorageRequestsSinceMark => StorageSplitSinceMark.Table + StorageSplitSinceMark.Blob;

    /// <summary>The requests since <see cref="MarkStorage"/> by service, queue requests included.</summary>
    public (long Table, long Blob, long Queue) StorageSplitSinceMark =>
        (_storage.Values.Sum(s => s.Table) - _atMark.Table, _storage.Values.Sum(s => s.Blob) - _atMark.Blob, _storage.Values.Sum(s => s.Queue) - _atMark.Queue);

    public static async Task<LocalCluster> StartAsync(LoadOptions options, TextWriter log)
    {
        var cluster = new LocalCluster();
        try
        {
            cluster.StopOnSignals(log);
            return await cluster.StartProcessesAsync(options, log);
        }
        catch (Exception e)
        {
            // A process that failed to start must not leave the others running.
            await cluster.DisposeAsync();
            throw new ClusterStartException($"the local cluster did not start: {e.Message}", e, cluster.Signal);
        }
    }

    private async Task<LocalCluster> StartProcessesAsync(LoadOptions options, TextWriter log)
    {
        var cluster = this;
        var root = RepositoryRoot();
        log.WriteLine($"building the silo and the gateway ({options.Configuration}); logs in {cluster.Logs}");
        foreach (var project in new[] { "src/Silo", "src/Gateway" })
        {
            await cluster.BuildAsync(project, options.Configuration, root);
        }
        // A dozen silos take a minute to start on a small machine: say what is going on.
        log.WriteLine($"starting Azurite, {options.Silos} silo(s){(options.Telemetry ? ", the dashboard" : "")} and a gateway");
        cluster._azurite = await Tools.AzuriteProcess.StartAsync(root, Path.Combine(cluster.Logs, AzuriteData));
        cluster.WatchForLoss("azurite", cluster._azurite.Process);
        cluster.Storage = cluster._azurite.ConnectionString;

        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Orleans__ClusterId"] = cluster.ClusterId,
            ["Stratum__Storage__ConnectionString"] = cluster.Storage,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Stratum__Auth__Jwt__Issuer"] = cluster.Jwt.Issuer!,
            ["Stratum__Auth__Jwt__Audience"] = cluster.Jwt.Audience!,
            ["Stratum__Auth__Jwt__SigningKey"] = cluster.Jwt.SigningKey!,
            // No gRPC endpoints: Development's fixed ports would collide between gateways.
            ["Stratum__Grpc__TlsEndpoint"] = "",
            ["Stratum__Grpc__PlaintextEndpoint"] = "",
        };
        if (options.Telemetry)
        {
            foreach (var (key, value) in await cluster.StartDashboardAsync(root))
            {
                common[key] = value;
            }
            log.WriteLine($"telemetry on, as the AppHost runs it: every process exports to the dashboard at {cluster.DashboardUrl}");
        }
        foreach (var (key, value) in options.Environment)
        {
            common[key] = value;
        }
        if (options.LayerShards is { } shards)
        {
            common["Stratum__Deployment__Shards"] = shards.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var binaries = (string project, string dll) => Path.Combine(root, "src", project, "bin", options.Configuration, "net10.0", dll);
        for (var i = 0; i < options.Silos; i++)
        {
            var http = FreePort();
            // Each process runs in its own output folder, its content root, where its appsettings are.
            var silo = cluster.Start($"silo{i + 1}", "dotnet", $"Stratum.Silo.dll --urls http://127.0.0.1:{http}", Path.GetDirectoryName(binaries("Silo", "Stratum.Silo.dll"))!, new(common)
            {
                ["Orleans__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            cluster._silos.Add((silo, http));
        }
        cluster._startGateway = name =>
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            return (cluster.Start(name, "dotnet", $"Stratum.Gateway.dll --urls {url}", Path.GetDirectoryName(binaries("Gateway", "Stratum.Gateway.dll"))!, common), url);
        };
        (cluster._gateway, cluster.GatewayUrl) = cluster._startGateway("gateway");
        await cluster.WaitReadyAsync(cluster.GatewayUrl, options.Silos, log);
        cluster._sampler = cluster.SampleAsync(cluster._sampling.Token);
        return cluster;
    }

    /// <summary>Starts one more gateway on the cluster and returns its URL once it sees every silo.</summary>
    public async Task<string> StartGatewayAsync(string name)
    {
        var (_, url) = _startGateway(name);
        await WaitReadyAsync(url, _silos.Count, TextWriter.Null);
        return url;
    }

    public void MarkStorage() => _atMark = (_storage.Values.Sum(s => s.Table), _storage.Values.Sum(s => s.Blob), _storage.Values.Sum(s => s.Queue));

    /// <summary>What the silos have done so far: CPU (from the operating system) and storage requests by service.</summary>
    public async Task<SiloWork> ReadSiloWorkAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var work = new SiloWork(0, 0, 0, 0);
        foreach (var (process, port) in _silos.Where(s => !s.Process.HasExited))
        {
            var totals = (await http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{port}/stats/storage"))!;
            work = new SiloWork(work.CpuSeconds + process.TotalProcessorTime.TotalSeconds, work.Table + totals["table"]!.GetValue<long>(),
                work.Blob + totals["blob"]!.GetValue<long>(), work.Queue + totals["queue"]!.GetValue<long>());
        }
        return work;
    }

    /// <summary>
    /// The silos' stage timings added up, and the runtime counters of every process still running
    /// (silos, gateway, Azurite's CPU, this tool), for <see cref="StageReport.Between"/>.
    /// </summary>
    public async Task<ClusterReading> ReadAsync()
    {
        // A killed process refuses at once; a busy one may take seconds to answer (a silo on a loaded 2-core CI
        // machine missed 5 s and was left out of a report), so the wait is generous.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var stages = new List<Dictionary<string, StageHistogram>>();
        var processes = new Dictionary<string, RuntimeCounters>(StringComparer.Ordinal);
        for (var i = 0; i < _silos.Count; i++)
        {
            var (process, port) = _silos[i];
            if (process.HasExited)
            {
                continue;
            }
            try
            {
                stages.Add(StageReport.ParseStages((await http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{port}/stats/stages"))!));
                processes[$"silo{i + 1}"] = RuntimeCounters.Parse((await http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{port}/stats/runtime"))!);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A silo being killed answers no more; the run's report leaves it out (and says why in the logs).
                await File.AppendAllTextAsync(Path.Combine(Logs, "readings.log"), $"{DateTime.UtcNow:O} silo{i + 1}: {e.Message}{Environment.NewLine}");
            }
        }
        if (!_gateway.HasExited)
        {
            try
            {
                processes["gateway"] = RuntimeCounters.Parse((await http.GetFromJsonAsync<JsonNode>($"{GatewayUrl}/stats/runtime"))!);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A gateway that does not tell (an older build) is left out.
            }
        }
        if (_azurite is { Process.HasExited: false } azurite)
        {
            // One entry per storage service (each its own process), so a report says which one is busy.
            foreach (var (program, counters) in RuntimeCounters.OfCpuByProgram(azurite.Process, "azurite-"))
            {
                processes[program] = counters;
            }
        }
        if (_dashboard is { HasExited: false } dashboard)
        {
            // What receiving the telemetry cost, beside what producing it cost the others.
            processes["dashboard"] = RuntimeCounters.OfCpu(dashboard.TotalProcessorTime.TotalMilliseconds);
        }
        processes["loadtest"] = RuntimeCounters.OfThisProcess();
        return new ClusterReading(StageReport.Merge(stages), processes);
    }

    /// <summary>Kills the last silo still running, as a crash would; returns its name (silo2), as its log and the summary call it.</summary>
    public string KillSilo()
    {
        var index = _silos.FindLastIndex(s => !s.Process.HasExited);
        var process = _silos[index].Process;
        lock (_stopping)
        {
            _killedOnPurpose.Add(process);
        }
        process.Kill();
        return $"silo{index + 1}";
    }

    private async Task SampleAsync(CancellationToken cancellation)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!cancellation.IsCancellationRequested)
        {
            await SampleOnceAsync(http);
            await Task.Delay(250, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task SampleOnceAsync(HttpClient http)
    {
        var silos = 0.0;
        foreach (var (process, port) in _silos.Where(s => !s.Process.HasExited))
        {
            silos = Math.Max(silos, ResidentMb(process));
            try
            {
                var totals = await http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{port}/stats/storage");
                _storage[port] = (totals!["table"]!.GetValue<long>(), totals["blob"]!.GetValue<long>(), totals["queue"]!.GetValue<long>());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A silo being killed answers no more; its last count stands.
            }
        }
        if (_azurite?.FirstEnded() is { } ended)
        {
            Lose($"{ended} exited");
        }
        SilosPeakMb = Math.Max(SilosPeakMb, silos);
        GatewayPeakMb = Math.Max(GatewayPeakMb, _gateway.HasExited ? 0 : ResidentMb(_gateway));
    }

    /// <summary>Stops the background sampling and takes one last sample, so the counters are current.</summary>
    public async Task SampleNowAsync()
    {
        await _sampling.CancelAsync();
        await _sampler;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await SampleOnceAsync(http);
    }

    private static double ResidentMb(Process process)
    {
        try
        {
            var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task WaitReadyAsync(string gatewayUrl, int silos, TextWriter log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var ready = await http.GetFromJsonAsync<JsonNode>($"{gatewayUrl}/readyz");
                if (ready?["silos"]?.GetValue<int>() >= silos)
                {
                    log.WriteLine($"cluster {ClusterId} ready: {silos} silo(s), gateway {gatewayUrl}");
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // Not up yet.
            }
            if (_processes.Find(p => p.Process.HasExited) is { Process: not null } dead)
            {
                throw new InvalidOperationException($"its {dead.Name} exited early ({Why(dead.Process)}); see {Logs}.");
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"it was not ready within 120 s; see {Logs}.");
    }

    internal Process Start(string name, string file, string arguments, string directory, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        // Named as the AppHost names its resources, for a dashboard that receives their telemetry.
        info.Environment["OTEL_SERVICE_NAME"] = name;
        Process process;
        lock (_stopping)
        {
            // A stop enumerates _processes once it has begun: a process started after that would outlive the
            // tool (a trial's SIGTERM during `--silos 100000` left 128 silos running). _stopped is set under
            // this lock, so a start either comes before the stop's look or is refused.
            if (_stopped is not null)
            {
                throw new OperationCanceledException($"the local cluster is stopping; {name} was not started.");
            }
            process = Process.Start(info)!;
            _reaper.Watch(process);
            _processes.Add((name, process));
        }
        WatchForLoss(name, process);
        var output = new StreamWriter(Path.Combine(Logs, $"{name}.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        await StopOnceAsync();
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }
    }

    private async Task StopAsync()
    {
        // Runs under _stopping until its first await (StopOnceAsync), so a build cannot start after this look.
        if (_build is { } build)
        {
            build.Kill(entireProcessTree: true);
            await build.WaitForExitAsync();
        }
        await _sampling.CancelAsync();
        await _sampler;
        foreach (var (_, process) in Enumerable.Reverse(_processes).Where(p => !p.Process.HasExited))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
            // Tens of MB a run (the whole table database); the logs beside it stay.
            Tools.OwnedTempDirectories.TryDelete(Path.Combine(Logs, AzuriteData));
        }
        _reaper.Dispose();
    }

    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        throw new InvalidOperationException("Run the load test from inside the Stratum checkout (Orleans.sln not found).");
    }

    private static int FreePort() => Tools.AzuriteProcess.FreePort();
}

/// <summary>CPU seconds and storage requests of all silos, as read at one moment.</summary>
public sealed record SiloWork(double CpuSeconds, long Table, long Blob, long Queue)
{
    public SiloWork Minus(SiloWork other) => new(CpuSeconds - other.CpuSeconds, Table - other.Table, Blob - other.Blob, Queue - other.Queue);

    public SiloWork Plus(SiloWork other) => new(CpuSeconds + other.CpuSeconds, Table + other.Table, Blob + other.Blob, Queue + other.Queue);
}

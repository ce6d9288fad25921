using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Stratum.Bench;

/// <summary>
/// Telemetry as <c>dotnet run --project src/AppHost</c> runs it, on free ports instead of the
/// AppHost's fixed ones: the Aspire dashboard (the one the AppHost restores from NuGet) receiving
/// OTLP over HTTP, and for every process the environment the orchestrator gives a project (its
/// exporter settings, always_on sampling, one-second export intervals) with the AppHost's own
/// settings over it (<see cref="TelemetryEnvironment"/>).
/// </summary>
public sealed class TelemetryStack(Process dashboard, int otlpPort) : IAsyncDisposable
{
    /// <summary>What every process of the cluster is started with: the orchestrator's variables, then the AppHost's over them.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{otlpPort}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
        ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
        ["OTEL_TRACES_SAMPLER"] = "always_on",
    }.Concat(TelemetryEnvironment.Variables).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    /// <summary>Starts the dashboard and waits until it accepts OTLP.</summary>
    public static async Task<TelemetryStack> StartAsync(string logs)
    {
        var binary = DashboardBinary();
        var (ui, otlp) = (Stratum.Tools.AzuriteProcess.FreePort(), Stratum.Tools.AzuriteProcess.FreePort());
        var info = new ProcessStartInfo(binary) { WorkingDirectory = Path.GetDirectoryName(binary)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var prefix in new[] { "ASPIRE_DASHBOARD_", "DOTNET_DASHBOARD_" })
        {
            info.Environment[prefix + "OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{otlp}";
            info.Environment[prefix + "UNSECURED_ALLOW_ANONYMOUS"] = "true";
        }
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info)!;
        var output = new StreamWriter(Path.Combine(logs, "dashboard.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Stratum.Tools.AzuriteProcess.WaitForPortAsync(otlp, process);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new TelemetryStack(process, otlp);
    }

    /// <summary>The dashboard binary from the NuGet package the AppHost restores (bench/run restores src/AppHost first).</summary>
    private static string DashboardBinary()
    {
        var packages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Path.Combine(packages, "aspire.dashboard.sdk.linux-x64");
        var version = Directory.Exists(package)
            ? Directory.GetDirectories(package).Select(Path.GetFileName).OrderByDescending(v => Version.TryParse(v, out var parsed) ? parsed : new Version()).FirstOrDefault()
            : null;
        var binary = version is null ? null : Path.Combine(package, version, "tools", "Aspire.Dashboard");
        return binary is not null && File.Exists(binary)
            ? binary
            : throw new InvalidOperationException($"The Aspire dashboard is not in {package}: run `dotnet restore src/AppHost` first (bench/run does).");
    }

    /// <summary>The dashboard's CPU time so far, to show what receiving costs.</summary>
    public TimeSpan Cpu => dashboard.HasExited ? TimeSpan.Zero : dashboard.TotalProcessorTime;

    public async ValueTask DisposeAsync()
    {
        if (!dashboard.HasExited)
        {
            dashboard.Kill(entireProcessTree: true);
            await dashboard.WaitForExitAsync();
        }
    }
}

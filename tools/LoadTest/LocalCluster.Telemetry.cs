using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Stratum.LoadTest;

/// <summary>
/// Telemetry as <c>dotnet run --project src/AppHost</c> runs it, on free ports instead of the
/// AppHost's fixed ones: the Aspire dashboard (the one the AppHost restores from NuGet) receiving
/// OTLP over HTTP, and for every process the environment the orchestrator gives a project (its
/// exporter settings, always_on sampling, one-second export intervals) with the AppHost's own
/// settings over it (<see cref="TelemetryEnvironment"/>). On by default with <c>--local</c>: speed
/// is measured with the stack as users run it.
/// </summary>
public sealed partial class LocalCluster
{
    private Process? _dashboard;

    /// <summary>The dashboard's page, where the run's traces and metrics can be looked at while it lasts; null without telemetry.</summary>
    public string? DashboardUrl { get; private set; }

    /// <summary>The dashboard's CPU time so far (zero without telemetry), to show what receiving costs.</summary>
    public TimeSpan DashboardCpu => _dashboard is { HasExited: false } dashboard ? dashboard.TotalProcessorTime : TimeSpan.Zero;

    /// <summary>Starts the dashboard, waits until it accepts OTLP, and returns what every other process is started with.</summary>
    private async Task<IReadOnlyDictionary<string, string>> StartDashboardAsync(string root)
    {
        if (DashboardBinary() is null)
        {
            // A fresh clone that never restored the AppHost: its packages hold the dashboard.
            await DotnetAsync("restore", "src/AppHost", "--nologo -v q -nodeReuse:false", root);
        }
        var binary = DashboardBinary() ?? throw new InvalidOperationException(
            "the Aspire dashboard is not in the NuGet package folder after `dotnet restore src/AppHost`; run with --telemetry off to measure without it.");
        var (ui, otlp) = (FreePort(), FreePort());
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var prefix in new[] { "ASPIRE_DASHBOARD_", "DOTNET_DASHBOARD_" })
        {
            environment[prefix + "OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{otlp}";
            environment[prefix + "UNSECURED_ALLOW_ANONYMOUS"] = "true";
        }
        _dashboard = Start("dashboard", binary, "", Path.GetDirectoryName(binary)!, environment);
        await Tools.AzuriteProcess.WaitForPortAsync(otlp, _dashboard);
        DashboardUrl = $"http://127.0.0.1:{ui}";
        return new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{otlp}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
        }.Concat(TelemetryEnvironment.Variables).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Last().Value);
    }

    /// <summary>The dashboard binary from the NuGet package the AppHost restores, newest version first; null if none is there.</summary>
    private static string? DashboardBinary()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Path.Combine(packages, "aspire.dashboard.sdk.linux-x64");
        var version = Directory.Exists(package)
            ? Directory.GetDirectories(package).Select(Path.GetFileName).OrderByDescending(v => Version.TryParse(v, out var parsed) ? parsed : new Version()).FirstOrDefault()
            : null;
        var binary = version is null ? null : Path.Combine(package, version, "tools", "Aspire.Dashboard");
        return binary is not null && File.Exists(binary) ? binary : null;
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Stratum.Tests.Unit;

/// <summary>Tracing as every Stratum process sets it up: a ratio of requests, plus every failed or slow one.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public void With_a_ratio_of_zero_only_failed_and_slow_spans_are_exported()
    {
        var (source, exported, host) = Traced(ratio: 0);
        using (host)
        {
            using (source.StartActivity("fast and fine")) { }
            using (var failed = source.StartActivity("failed"))
            {
                failed!.SetStatus(ActivityStatusCode.Error);
            }
            using (var slow = source.StartActivity("slow"))
            {
                slow!.SetStartTime(DateTime.UtcNow - TimeSpan.FromSeconds(2));
            }
            using (var child = source.StartActivity("server error"))
            {
                child!.SetTag("http.response.status_code", 503);
            }
        }

        Assert.Equal(["failed", "server error", "slow"], exported.Select(a => a.DisplayName).Order());
    }

    [Fact]
    public void With_a_ratio_of_one_every_span_is_exported()
    {
        var (source, exported, host) = Traced(ratio: 1);
        using (host)
        {
            using (source.StartActivity("fine")) { }
        }

        Assert.Equal("fine", Assert.Single(exported).DisplayName);
    }

    private static (ActivitySource Source, List<Activity> Exported, IHost Host) Traced(double ratio)
    {
        var exported = new List<Activity>();
        var builder = Host.CreateApplicationBuilder();
        builder.Environment.ApplicationName = "telemetry-test-" + Guid.NewGuid().ToString("N");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1",
            ["Stratum:Telemetry:TraceRatio"] = ratio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
        var host = builder.Build();
        host.Services.GetRequiredService<TracerProvider>();
        return (new ActivitySource(builder.Environment.ApplicationName), exported, host);
    }
}

using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>Tracing as every Stratum process sets it up: a ratio of requests, plus every failed or slow one.</summary>
public sealed class TelemetryTests
{
    [Theory]
    [InlineData(-1, 10, "Stratum:Telemetry:TraceRatio is -1; it must be from 0 to 1.")]
    [InlineData(1.5, 10, "Stratum:Telemetry:TraceRatio is 1.5; it must be from 0 to 1.")]
    [InlineData(0.01, -5, "Stratum:Telemetry:MaxTracesPerSecond is -5; it must be 0 (no limit) or more.")]
    public void A_setting_out_of_range_stops_the_process_naming_it(double ratio, int maxPerSecond, string message)
    {
        // Through the service defaults, as a process starts: the settings read from configuration are checked there.
        var refusal = Assert.Throws<InvalidOperationException>(() => Traced(ratio, maxPerSecond));

        Assert.Equal(message, refusal.Message);
    }

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

        Assert.Equal(["failed", "server error", "slow"], exported().Select(a => a.DisplayName).Order());
    }

    [Fact]
    public void With_a_ratio_of_one_every_span_is_exported()
    {
        var (source, exported, host) = Traced(ratio: 1);
        using (host)
        {
            using (source.StartActivity("fine")) { }
        }

        Assert.Equal("fine", Assert.Single(exported()).DisplayName);
    }

    [Fact]
    public void The_ratio_starts_at_most_the_limit_of_traces_a_second()
    {
        // The sampler alone: a tracer provider would also hold other tests' HTTP calls in this
        // process (HttpClient instrumentation listens to all of them) against the same limit.
        var sampler = new RatioKeepingFailures(ratio: 1, maxPerSecond: 3);

        // A burst far shorter than the limiter's one-second period.
        var started = Enumerable.Range(0, 10).Count(_ =>
            sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "request", ActivityKind.Server)).Decision
                == SamplingDecision.RecordAndSample);

        Assert.Equal(3, started);
    }

    [Fact]
    public void A_failed_span_beyond_the_limit_is_still_exported()
    {
        var (source, exported, host) = Traced(ratio: 1, maxPerSecond: 1);
        using (host)
        {
            using (source.StartActivity("takes the second's one trace")) { }
            using (var failed = source.StartActivity("failed beyond the limit"))
            {
                failed!.SetStatus(ActivityStatusCode.Error);
            }
        }

        Assert.Single(exported(), a => a.DisplayName == "failed beyond the limit");
    }

    [Fact]
    public async Task Requests_the_ratio_did_not_pick_are_exported_only_when_they_failed_or_were_slow()
    {
        var exported = new CollectedSpans();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Environment.ApplicationName = "kept-test-" + Guid.NewGuid().ToString("N");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1",
            ["Stratum:Telemetry:TraceRatio"] = "0",
            ["Stratum:Telemetry:SlowRequest"] = "00:00:00.200",
        });
        builder.AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(exported)));
        await using var app = builder.Build();
        app.UseKeptRequests();
        // The provider hears every test's requests in this process: this test's paths are its own.
        var root = "/" + Guid.NewGuid().ToString("N");
        app.MapGet(root + "/fine", () => "fine");
        app.MapGet(root + "/fails", () => Results.StatusCode(503));
        app.MapGet(root + "/throws", (Func<string>)(() => throw new InvalidOperationException("broken")));
        app.MapGet(root + "/slow", async () =>
        {
            await Task.Delay(300);
            return "late";
        });
        await app.StartAsync();
        using (var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
        {
            // A first request compiles the pipeline and may itself be slow on a busy machine: outside our paths.
            (await http.GetAsync("/warm-up")).Dispose();
            foreach (var path in new[] { "/fine", "/fails", "/throws", "/slow", "/fine" })
            {
                (await http.GetAsync(root + path)).Dispose();
            }
        }
        await app.StopAsync();
        // Server spans carry the path, HttpClient's spans the full address.
        static string Url(Activity span) => (string?)(span.GetTagItem("url.path") ?? span.GetTagItem("url.full")) ?? "";
        var ours = exported.Where(a => Url(a).Contains(root, StringComparison.Ordinal));

        var kept = ours.Where(a => a.Kind == ActivityKind.Server).ToList();
        Assert.Equal([$"GET {root}/fails", $"GET {root}/slow", $"GET {root}/throws"], kept.Select(a => a.DisplayName).Order());
        Assert.All(kept, span => Assert.NotNull(span.GetTagItem(KeptRequests.Tag)));
        Assert.Equal(503, kept.Single(a => a.DisplayName.EndsWith("/fails", StringComparison.Ordinal)).GetTagItem("http.response.status_code"));
        Assert.True(kept.Single(a => a.DisplayName.EndsWith("/slow", StringComparison.Ordinal)).Duration >= TimeSpan.FromMilliseconds(200));
        // Nothing else was recorded for the requests that ended well and soon: their spans carried context only.
        Assert.DoesNotContain(ours, a => Url(a).EndsWith("/fine", StringComparison.Ordinal));
        Assert.Equal(6, ours.Count); // the three kept requests, each as the server and as HttpClient saw it
    }

    /// <summary>A host set up by the service defaults, and a source of its own: <c>Exported</c> reads only that
    /// source's spans (the tracer provider also hears other tests' HTTP calls).</summary>
    private static (ActivitySource Source, Func<List<Activity>> Exported, IHost Host) Traced(double ratio, int maxPerSecond = 0)
    {
        var exported = new CollectedSpans();
        var builder = Host.CreateApplicationBuilder();
        builder.Environment.ApplicationName = "telemetry-test-" + Guid.NewGuid().ToString("N");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1",
            ["Stratum:Telemetry:TraceRatio"] = ratio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stratum:Telemetry:MaxTracesPerSecond"] = maxPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(exported)));
        var host = builder.Build();
        host.Services.GetRequiredService<TracerProvider>();
        var source = new ActivitySource(builder.Environment.ApplicationName);
        return (source, () => exported.Where(a => a.Source == source), host);
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Stratum process shares: OpenTelemetry (exported over OTLP when the Aspire dashboard
/// or a collector is configured) and the health endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The logger of ASP.NET Core's per-request hosting diagnostics (request started/finished).</summary>
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // While this logger is enabled at any level, ASP.NET Core opens a log scope and starts an
        // Activity for every request, telemetry or not (so that log lines carry a trace id): the
        // hottest read paid both for request logs that are filtered out anyway (it logs at Information
        // only, under "Microsoft.AspNetCore": "Warning"). Off unless configuration names it.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnostics}"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
        }
        // Telemetry only where something collects it (the Aspire dashboard, a collector): without an
        // exporter, tracing every request would cost the hottest paths for nothing.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            var telemetry = (builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions()).Checked();
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("Microsoft.Orleans", "Stratum.Storage", "Stratum.LatestCache")
                    // Counters moved by every request (routing's match attempts) or every buffer a request
                    // rents and returns (Kestrel's memory pool, several per request) that tell an operator
                    // nothing the request duration and the process's memory do not: 2-3 % of the gateway's CPU.
                    .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
                    .AddView("aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop))
                .WithTracing(tracing => tracing
                    // Our sampler, not the OTEL_TRACES_SAMPLER the orchestrator sets (always_on):
                    // tracing every request halved the hottest read's throughput.
                    .SetSampler(new ParentBasedSampler(new RatioKeepingFailures(telemetry.TraceRatio, telemetry.MaxTracesPerSecond)))
                    .AddProcessor(new KeepFailedAndSlow(telemetry.SlowRequest))
                    .AddSource(builder.Environment.ApplicationName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/healthz"))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
            builder.Services.AddSingleton(new KeptRequests(builder.Environment.ApplicationName, telemetry.SlowRequest));
        }
        builder.Services.AddHealthChecks();
        return builder;
    }
}

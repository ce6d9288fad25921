using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Telemetry only where something collects it (the Aspire dashboard, a collector): without an
        // exporter, tracing every request would cost the hottest paths for nothing.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("Microsoft.Orleans", "Stratum.Storage", "Stratum.LatestCache"))
                .WithTracing(tracing => tracing
                    // Our sampler, not the OTEL_TRACES_SAMPLER the orchestrator sets (always_on):
                    // tracing every request halved the hottest read's throughput.
                    .SetSampler(new ParentBasedSampler(new RatioKeepingFailures(telemetry.TraceRatio)))
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

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The sampler every Stratum process is started with, as environment variables: the AppHost sets
/// them on each silo and the gateway (over the orchestrator's <c>OTEL_TRACES_SAMPLER=always_on</c>),
/// docker-compose.yml repeats them, and bench/run starts its telemetry-on cluster with them. The
/// standard OTEL_* pair says the same as Stratum's own keys, for any tool that reads those.
/// </summary>
public static class TelemetryEnvironment
{
    /// <summary>The share of requests traced: one in a hundred, plus every failed or slow one.</summary>
    public const string TraceRatio = "0.01";

    /// <summary>The most traces the ratio starts per second in each process; failed and slow requests are kept beyond it.</summary>
    public const string MaxTracesPerSecond = "10";

    /// <summary>A request at least this slow is traced whatever the ratio.</summary>
    public const string SlowRequest = "00:00:00.500";

    /// <summary>
    /// How often metrics are exported, in milliseconds: every 10 s, not every second as the
    /// orchestrator sets it. Each export collects every instrument of the process and the dashboard
    /// ingests it, on the cores that serve requests; a graph that moves every 10 s is still live.
    /// </summary>
    public const string MetricExportIntervalMs = "10000";

    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Stratum__Telemetry__TraceRatio"] = TraceRatio,
        ["Stratum__Telemetry__MaxTracesPerSecond"] = MaxTracesPerSecond,
        ["Stratum__Telemetry__SlowRequest"] = SlowRequest,
        ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
        ["OTEL_TRACES_SAMPLER_ARG"] = TraceRatio,
        ["OTEL_METRIC_EXPORT_INTERVAL"] = MetricExportIntervalMs,
    };
}

namespace Microsoft.Extensions.Hosting;

/// <summary>How much a Stratum process traces. Configuration section <c>Stratum:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Stratum:Telemetry";

    /// <summary>
    /// The share of requests traced (0 to 1), decided where a trace starts and followed by its
    /// children. Requests that fail or are slow are kept whatever this says.
    /// </summary>
    public double TraceRatio { get; set; } = 0.01;

    /// <summary>A request that takes at least this long is kept, sampled or not.</summary>
    public TimeSpan SlowRequest { get; set; } = TimeSpan.FromMilliseconds(500);
}

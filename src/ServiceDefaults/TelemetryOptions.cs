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

    /// <summary>
    /// The most traces the ratio starts per second in this process (0: no limit). Under a flood the
    /// ratio alone exports a share of it (1 % of 50,000 requests/s is 500 traces/s, and collecting
    /// them took a third of a core in the Aspire dashboard and more in the process exporting them);
    /// the limit keeps tracing's cost flat at any rate. Failed and slow requests are kept beyond it.
    /// </summary>
    public int MaxTracesPerSecond { get; set; } = 10;

    /// <summary>A request that takes at least this long is kept, sampled or not.</summary>
    public TimeSpan SlowRequest { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>These options, or an <see cref="InvalidOperationException"/> naming the setting out of range (the process stops at start).</summary>
    public TelemetryOptions Checked()
    {
        if (TraceRatio is not (>= 0 and <= 1))
        {
            throw new InvalidOperationException($"{Section}:{nameof(TraceRatio)} is {TraceRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be from 0 to 1.");
        }
        if (MaxTracesPerSecond < 0)
        {
            throw new InvalidOperationException($"{Section}:{nameof(MaxTracesPerSecond)} is {MaxTracesPerSecond}; it must be 0 (no limit) or more.");
        }
        if (SlowRequest < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:{nameof(SlowRequest)} is {SlowRequest}; it must not be negative.");
        }
        return this;
    }
}

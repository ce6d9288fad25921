namespace Stratum.Diagnostics;

/// <summary>
/// A grain that does nothing: the cost of a bare grain call, the baseline the benchmark compares
/// the Orleans-client latest lookup against.
/// </summary>
[Alias("Stratum.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Returns at once.</summary>
    [Alias("Ping"), ReadOnly] Task PingAsync();
}

namespace Stratum.Bench.Grains;

/// <summary>
/// A grain that does nothing: the cost of a bare grain call, the baseline the benchmark compares
/// the Orleans-client latest lookup against. Not part of Stratum's contract: hosted only by silos
/// started for benchmarks (Stratum:Diagnostics:GrainAssembly).
/// </summary>
[Alias("Stratum.Bench.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Returns at once.</summary>
    [Alias("Ping"), ReadOnly] Task PingAsync();

    /// <summary>
    /// Takes what latestByFamily takes and returns the image last given to <see cref="HoldAsync"/>:
    /// the cost of moving the same arguments and answer, without any lookup.
    /// </summary>
    [Alias("Echo"), ReadOnly] Task<Image?> EchoAsync(Caller caller, string folderId, string family);

    /// <summary>Sets the image <see cref="EchoAsync"/> returns on this silo.</summary>
    [Alias("Hold")] Task HoldAsync(Image image);
}

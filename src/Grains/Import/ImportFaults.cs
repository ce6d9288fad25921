namespace Stratum.Import;

/// <summary>
/// The errors an import ends with that are nobody's input: the source's faults (code 9, naming
/// the source and what happened) and Stratum's own (14 when its store is unavailable, 13 else),
/// never an exception's own text.
/// </summary>
public static class ImportFaults
{
    public static StratumException Source(string source, string what) =>
        StratumException.Precondition($"The import source {source} {what}.");

    public static StratumException StoreUnavailable() =>
        new(ErrorCode.Unavailable, "The image store is unavailable, so the image data could not be stored; create the image again.");

    public static StratumException Internal() =>
        new(ErrorCode.Internal, "An internal error stopped the import; it has been logged. Create the image again.");
}

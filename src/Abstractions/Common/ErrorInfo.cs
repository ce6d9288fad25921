namespace Stratum;

/// <summary>An error in the contract's shape, as carried by a finished operation.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ErrorInfo")]
public sealed record ErrorInfo(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] string Message);

namespace Stratum;

/// <summary>
/// What every mutation returns. While <see cref="Done"/> is false the work goes on; when true,
/// exactly one of <see cref="Error"/> or <see cref="Response"/> is set (an empty
/// <see cref="EmptyResponse"/> for deletes).
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.Operation")]
public sealed record Operation(
    [property: Id(0)] string Id,
    [property: Id(1)] string Description,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset ModifiedAt,
    [property: Id(5)] bool Done,
    [property: Id(6)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(7)] ErrorInfo? Error = null,
    [property: Id(8)] object? Response = null);

/// <summary>The response of a finished delete.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.EmptyResponse")]
public sealed record EmptyResponse
{
    /// <summary>The one instance.</summary>
    public static readonly EmptyResponse Instance = new();
}

/// <summary>An operation, keyed by its id.</summary>
[Alias("Stratum.IOperationGrain")]
public interface IOperationGrain : IGrainWithStringKey
{
    /// <summary>Reads the operation; only its creator, and those who may read its resource, see it.</summary>
    [Alias("Get")] Task<Operation> GetAsync(Caller caller);

    /// <summary>Asks the operation's work to stop (best effort) and returns the operation.</summary>
    [Alias("Cancel")] Task<Operation> CancelAsync(Caller caller);
}

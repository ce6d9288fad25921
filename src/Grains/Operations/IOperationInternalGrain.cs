namespace Stratum.Operations;

/// <summary>What the resource grains do to an operation; not part of the public contract.</summary>
[Alias("Stratum.IOperationInternalGrain")]
public interface IOperationInternalGrain : IGrainWithStringKey
{
    /// <summary>Records a new operation (idempotent: a second call returns the first record).</summary>
    [Alias("Start")] Task<Operation> StartAsync(OperationStart start);

    /// <summary>
    /// Records a new operation that is already done, with its response: one write for work that
    /// finished before it was acknowledged (an operation started before is finished instead).
    /// </summary>
    [Alias("StartDone")] Task<Operation> StartDoneAsync(OperationStart start, object response);

    /// <summary>Finishes the operation with its response (idempotent once done).</summary>
    [Alias("Complete")] Task<Operation> CompleteAsync(object response);

    /// <summary>Finishes the operation with an error (idempotent once done).</summary>
    [Alias("Fail")] Task<Operation> FailAsync(ErrorInfo error);

    /// <summary>Stores an operation held elsewhere until now (an image's create) as this operation's record, unless it has one.</summary>
    [Alias("Keep")] Task KeepAsync(OperationState held);

    /// <summary>The operation, or null if it was never started.</summary>
    [Alias("TryGet"), AlwaysInterleave] Task<Operation?> TryGetAsync();
}

/// <summary>What an operation is about, for its record and for deciding who may read it.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.OperationStart")]
public sealed record OperationStart(
    [property: Id(0)] string Description,
    [property: Id(1)] Caller CreatedBy,
    [property: Id(2)] string? FolderId,
    [property: Id(3)] string ResourceId,
    [property: Id(4)] IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The operation as it starts now, done with <paramref name="response"/> when one is given.</summary>
    public Operation Begin(string operationId, object? response = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new Operation(operationId, Description, now, CreatedBy.Subject.ToString(), now, response is not null, Metadata, Response: response);
    }
}

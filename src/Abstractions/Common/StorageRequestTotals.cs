namespace Stratum;

/// <summary>Requests sent to Azure Storage by one process, by service.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.StorageRequestTotals")]
public sealed record StorageRequestTotals(
    [property: Id(0)] long Table,
    [property: Id(1)] long Blob,
    [property: Id(2)] long Queue)
{
    /// <summary>All requests.</summary>
    public long Total => Table + Blob + Queue;

    /// <summary>The sum of two processes' totals.</summary>
    public static StorageRequestTotals operator +(StorageRequestTotals a, StorageRequestTotals b) =>
        new(a.Table + b.Table, a.Blob + b.Blob, a.Queue + b.Queue);
}

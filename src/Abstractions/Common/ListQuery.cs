namespace Stratum;

/// <summary>The paging, filtering and ordering of a list request, as the contract defines them.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ListQuery")]
public sealed record ListQuery(
    [property: Id(0)] int PageSize = ListQuery.DefaultPageSize,
    [property: Id(1)] string? PageToken = null,
    [property: Id(2)] string? Filter = null,
    [property: Id(3)] string? OrderBy = null)
{
    /// <summary>The page size when none is given.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page size accepted.</summary>
    public const int MaxPageSize = 1000;
}

/// <summary>One page of a list and the token for the next one (null on the last page).</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] IReadOnlyList<T> Items,
    [property: Id(1)] string? NextPageToken);

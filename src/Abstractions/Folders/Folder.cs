namespace Stratum;

/// <summary>A folder: the unit of tenancy, roles and quotas.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Folder")]
public sealed record Folder(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] string Name,
    [property: Id(3)] string Description,
    [property: Id(4)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(10)] RecycleBin? RecycleBin = null);

/// <summary>The body of a folder create.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.CreateFolderRequest")]
public sealed record CreateFolderRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description = null,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>One quota of a folder: its limit and what is used of it.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Quota")]
public sealed record Quota(
    [property: Id(0)] string Name,
    [property: Id(1)] long Limit,
    [property: Id(2)] long Usage);

/// <summary>A new limit for one quota.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.QuotaLimit")]
public sealed record QuotaLimit(
    [property: Id(0)] string Name,
    [property: Id(1)] long Limit);

namespace Stratum.Storage;

/// <summary>Where Stratum keeps its data. Configuration section <c>Stratum:Storage</c>.</summary>
public sealed class StratumStorageOptions
{
    public const string Section = "Stratum:Storage";

    /// <summary>An Azure Storage connection string (Azurite's in development).</summary>
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>The table of list projections and name reservations.</summary>
    public string IndexTable { get; set; } = "stratumindex";

    /// <summary>The blob container of image data.</summary>
    public string ImageContainer { get; set; } = "images";

    /// <summary>
    /// What grain state is stored under: the table <c>{prefix}{kind}</c> or the blob container
    /// <c>{prefix}-{kind}</c> per kind of state (<see cref="StorageNames"/>), so clusters can share
    /// an account without sharing state. Letters and digits, starting with a letter.
    /// </summary>
    public string GrainStoragePrefix { get; set; } = "grains";

    /// <summary>The table of a kind of grain state kept in Azure Table.</summary>
    public string GrainTable(string kind) => $"{GrainStoragePrefix}{kind}";

    /// <summary>The blob container of a kind of grain state kept in Azure Blob.</summary>
    public string GrainContainer(string kind) => $"{GrainStoragePrefix}-{kind}";
}

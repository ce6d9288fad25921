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
}

namespace Stratum.Uploads;

/// <summary>Direct uploads and exports. Configuration section <c>Stratum:Uploads</c>.</summary>
public sealed class UploadOptions
{
    public const string Section = "Stratum:Uploads";

    /// <summary>How long an upload URL is valid; its staging blob is removed once it expires unused.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An export URL's lifetime when the caller gives none.</summary>
    public TimeSpan DefaultExportLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest export URL lifetime a caller may ask for.</summary>
    public TimeSpan MaxExportLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The blob endpoint clients reach (scheme, host, port and path up to the account), when it
    /// differs from the one the silos use (a container name such as <c>azurite</c> inside
    /// docker-compose). Empty: the silos' own endpoint.
    /// </summary>
    public string? PublicBlobEndpoint { get; set; }
}

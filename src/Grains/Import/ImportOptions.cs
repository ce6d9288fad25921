namespace Stratum.Import;

/// <summary>What an image import may fetch. Configuration section <c>Stratum:Import</c>.</summary>
public sealed class ImportOptions
{
    public const string Section = "Stratum:Import";

    /// <summary>
    /// Hosts an import may fetch from: <c>host</c> (any port) or <c>host:port</c>. Nothing else is
    /// fetched. Development lists 127.0.0.1 and localhost; production its object-storage hosts.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>The largest file accepted, in bytes.</summary>
    public long MaxBytes { get; set; } = 64L << 30;

    /// <summary>How many redirects (each to an allowed host) are followed.</summary>
    public int MaxRedirects { get; set; } = 5;
}

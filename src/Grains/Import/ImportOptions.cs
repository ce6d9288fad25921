namespace Stratum.Import;

/// <summary>What an image import may fetch, and how long it may take. Configuration section <c>Stratum:Import</c>.</summary>
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

    /// <summary>How long connecting to the source may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the source may send nothing (no response, or no byte of the body) before the import ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a whole import may take.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Bytes per block staged in the blob store; 8 MiB unless the largest file needs bigger (a blob has at most 50,000 blocks).</summary>
    public int BlockSize { get; set; } = 8 << 20;

    /// <summary>Blocks staged at once while the next ones are read, inspected and hashed.</summary>
    public int ParallelBlocks { get; set; } = 4;
}

namespace Stratum.Gateway.Changes;

/// <summary>Family watch settings (section <c>Stratum:Watch</c>).</summary>
public sealed class WatchOptions
{
    public const string Section = "Stratum:Watch";

    /// <summary>How often an idle watch sends a comment line, so proxies and clients know it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);
}

namespace Stratum.Changes;

/// <summary>How long cached "latest in family" answers may be trusted (section <c>Stratum:LatestCache</c>).</summary>
public sealed class LatestCacheOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Stratum:LatestCache";

    /// <summary>Off: every read goes to the grains.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The cache answers only while a pulse arrived this recently; otherwise the feed may be stuck and reads go to the grains.</summary>
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest an answer is kept even when no event touches it, so that an event lost on the
    /// way delays a change by at most this long.
    /// </summary>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a caller changes an image or learns that its change finished, its reads skip every
    /// cache for this long, which is far longer than the feed takes to carry the change.
    /// </summary>
    public TimeSpan ReadYourWritesFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Beyond this many answers the cache starts over, so it cannot grow without bound.</summary>
    public int MaxEntries { get; set; } = 100_000;
}

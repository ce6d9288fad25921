namespace Stratum.Changes;

/// <summary>The change feed's settings (section <c>Stratum:ChangeFeed</c>).</summary>
public sealed class ChangeFeedOptions
{
    public const string Section = "Stratum:ChangeFeed";

    /// <summary>
    /// The longest the feed stays silent before a silo sends a pulse (each silo sends one only when it
    /// heard nothing, neither news nor another silo's pulse, for this long); well under <see cref="LatestCacheOptions.FreshFor"/>.
    /// </summary>
    public TimeSpan PulseInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the feed's queue is read while news flows: most of the feed's delay, so well under a second.</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often the queue is read once <see cref="QuietAfter"/> passed with nothing but pulses on it (never more often than <see cref="PollPeriod"/>).</summary>
    public TimeSpan IdlePollPeriod { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long after the last news the queue is still read every <see cref="PollPeriod"/>.</summary>
    public TimeSpan QuietAfter { get; set; } = TimeSpan.FromSeconds(5);
}

namespace Stratum.Changes;

/// <summary>The change feed's settings (section <c>Stratum:ChangeFeed</c>).</summary>
public sealed class ChangeFeedOptions
{
    public const string Section = "Stratum:ChangeFeed";

    /// <summary>How often each silo sends a pulse; well under <see cref="LatestCacheOptions.FreshFor"/>.</summary>
    public TimeSpan PulseInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the feed's queue is read: most of the feed's delay, so well under a second.</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(50);
}

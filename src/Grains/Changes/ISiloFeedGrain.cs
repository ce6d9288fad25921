namespace Stratum.Changes;

/// <summary>
/// One per silo (keyed by the silo's address): subscribes to the change feed, applies it to the
/// silo's latest cache, and sends the pulses that tell every cache the feed is flowing.
/// </summary>
[Alias("Stratum.ISiloFeedGrain")]
public interface ISiloFeedGrain : IGrainWithStringKey
{
    [Alias("Start")] Task StartAsync();
}

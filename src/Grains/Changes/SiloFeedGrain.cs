using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;

namespace Stratum.Changes;

/// <summary>
/// The silo's ear on the change feed. Placed on the silo that starts it and kept active by its
/// pulse timer. If its silo dies, the feed may wake it on another silo; it then sees it is not at
/// home, drops its subscription and goes away, and the other silo's own feed grain is unaffected.
/// </summary>
[PreferLocalPlacement]
public sealed class SiloFeedGrain(
    LatestCache cache,
    ILocalSiloDetails silo,
    IOptions<ChangeFeedOptions> options,
    ILogger<SiloFeedGrain> logger) : Grain, ISiloFeedGrain
{
    private IAsyncStream<ChangeEvent> Stream => this.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);

    private bool AtHome => this.GetPrimaryKeyString() == silo.SiloAddress.ToParsableString();

    private readonly PulseSchedule _pulses = new(options.Value.PulseInterval, TimeProvider.System);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var handles = await Stream.GetAllSubscriptionHandles();
        if (!AtHome)
        {
            foreach (var handle in handles)
            {
                await handle.UnsubscribeAsync();
            }
            DeactivateOnIdle();
            return;
        }
        // One subscription per silo: resume the one a previous activation left, drop any extras.
        foreach (var extra in handles.Skip(1))
        {
            await extra.UnsubscribeAsync();
        }
        if (handles.Count > 0)
        {
            await handles[0].ResumeAsync(OnNextAsync);
        }
        else
        {
            await Stream.SubscribeAsync(OnNextAsync);
        }
        this.RegisterGrainTimer(PulseAsync, new GrainTimerCreationOptions(_pulses.Tick, _pulses.Tick) { KeepAlive = true, Interleave = true });
    }

    Task ISiloFeedGrain.StartAsync() => Task.CompletedTask;

    private Task OnNextAsync(ChangeEvent change, StreamSequenceToken? token)
    {
        // Its own pulses tell a silo nothing it did not know; news and other silos' pulses do.
        if (change.Kind != ChangeKind.Pulse || change.ResourceId != this.GetPrimaryKeyString())
        {
            _pulses.Heard();
        }
        cache.ApplyFromFeed(change);
        return Task.CompletedTask;
    }

    private async Task PulseAsync(CancellationToken cancellationToken)
    {
        if (!_pulses.ShouldPulse())
        {
            return;
        }
        try
        {
            await Stream.OnNextAsync(ChangeEvent.Of(ChangeKind.Pulse, resourceId: this.GetPrimaryKeyString()));
        }
        catch (Exception e)
        {
            // Caches stop trusting themselves when pulses stop: reads fall back to the grains.
            logger.LogWarning(e, "Could not send a change-feed pulse.");
        }
    }
}

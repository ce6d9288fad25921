using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Stratum.Changes;

namespace Stratum.Client;

/// <summary>
/// The client's subscription to Stratum's change feed: every event goes to the client-side latest
/// cache (which drops duplicates). Until the subscription stands the cache hears no pulse, so it
/// stays out of the way and reads go to the grains.
/// </summary>
internal sealed class ChangeFeedSubscription(IClusterClient client, LatestCache cache, ILogger<ChangeFeedSubscription> logger) : BackgroundService
{
    private StreamSubscriptionHandle<ChangeEvent>? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && _subscription is null)
        {
            try
            {
                var stream = client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
                _subscription = await stream.SubscribeAsync((change, _) =>
                {
                    cache.Apply(change);
                    return Task.CompletedTask;
                });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not subscribe to Stratum's change feed yet; latest reads go to the grains meanwhile.");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_subscription is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Could not unsubscribe from the change feed while stopping.");
            }
        }
    }
}

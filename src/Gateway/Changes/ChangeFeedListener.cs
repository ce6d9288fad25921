using Orleans.Streams;
using Stratum.Changes;

namespace Stratum.Gateway.Changes;

/// <summary>
/// The gateway's one subscription to the change feed: each event, once (duplicates dropped by the
/// cache), updates the gateway's latest cache and wakes the family watchers of its folder. Keeps
/// trying to subscribe until the cluster answers; until then the cache hears no pulse and stays out of the way.
/// </summary>
public sealed class ChangeFeedListener(IClusterClient client, LatestCache cache, FamilyWatchHub watchers, ILogger<ChangeFeedListener> logger) : BackgroundService
{
    private StreamSubscriptionHandle<ChangeEvent>? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && _subscription is null)
        {
            try
            {
                var stream = client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
                _subscription = await stream.SubscribeAsync(OnNextAsync);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not subscribe to the change feed yet; latest reads go to the grains meanwhile.");
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

    private Task OnNextAsync(ChangeEvent change, StreamSequenceToken? token)
    {
        if (cache.ApplyFromFeed(change) && change.FolderId is not null)
        {
            watchers.Notify(change);
        }
        return Task.CompletedTask;
    }
}

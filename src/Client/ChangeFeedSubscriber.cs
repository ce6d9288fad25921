using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Stratum.Changes;

namespace Stratum.Client;

/// <summary>
/// One subscription to Stratum's change feed, kept trying (every second) until the cluster answers
/// and dropped when the host stops. Until it stands a latest cache hears no pulse, so it stays out
/// of the way and reads go to the grains. Each event is handed to <see cref="OnChange"/>.
/// </summary>
/// <param name="client">The connected Orleans client whose stream provider carries the feed.</param>
/// <param name="logger">Where a failed subscription attempt is reported.</param>
public abstract class ChangeFeedSubscriber(IClusterClient client, ILogger logger) : BackgroundService
{
    private StreamSubscriptionHandle<ChangeEvent>? _subscription;

    /// <summary>Handles one event of the feed (it may arrive twice: the caches drop duplicates).</summary>
    protected abstract void OnChange(ChangeEvent change);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && _subscription is null)
        {
            try
            {
                var stream = client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
                _subscription = await stream.SubscribeAsync((change, _) =>
                {
                    OnChange(change);
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

    /// <inheritdoc />
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

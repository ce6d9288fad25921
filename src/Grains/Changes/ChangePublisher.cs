using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Stratum.Changes;

/// <summary>
/// Puts change events on the feed. Called after state is written and before the change is
/// acknowledged, so an acknowledged change is already queued. A failure is logged, not thrown:
/// state is the truth, and caches drop their answers on their own after a short lifetime.
/// </summary>
public sealed class ChangePublisher(IClusterClient client, ILogger<ChangePublisher> logger)
{
    private IAsyncStream<ChangeEvent>? _stream;

    private IAsyncStream<ChangeEvent> Stream =>
        _stream ??= client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);

    public async Task PublishAsync(ChangeEvent change)
    {
        try
        {
            await Stream.OnNextAsync(change);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not publish {Kind} for {Resource}; readers learn of it when their answers expire.", change.Kind, change.ResourceId ?? change.FolderId);
        }
    }
}

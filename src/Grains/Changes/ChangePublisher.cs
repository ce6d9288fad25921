using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Stratum.Changes;

/// <summary>
/// Puts change events on the feed. Called after state is written and before the change is
/// acknowledged, so an acknowledged change is already queued. A failure is logged, not thrown:
/// state is the truth, and caches drop their answers on their own after a short lifetime.
/// </summary>
/// <remarks>
/// Group sending: one queue message is on its way at a time per silo, and the changes published
/// while it is go together in the next one (at most <see cref="MaxEventsPerMessage"/>, in the order
/// published). An idle silo sends a change at once; a busy one pays one queue write, and one read
/// and delete at each consumer, per round trip instead of per change. On Azurite, whose one thread
/// serves every storage request, the feed's messages were 1.4 per image created, a quarter of the
/// requests of an image create (with their reads and deletes). Consumers are unchanged: a message's
/// events are delivered one by one.
/// </remarks>
public sealed class ChangePublisher
{
    /// <summary>Events in one queue message at most: a change event is under 1 KB serialized, a queue message at most 64 KB.</summary>
    internal const int MaxEventsPerMessage = 32;

    private readonly Func<IReadOnlyList<ChangeEvent>, Task> _send;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Waiting> _waiting = [];
    private bool _sending;

    private sealed record Waiting(ChangeEvent Change)
    {
        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public ChangePublisher(IClusterClient client, ILogger<ChangePublisher> logger)
        : this(FeedOf(client), logger)
    {
    }

    /// <summary>For tests: <paramref name="send"/> puts one message holding the given events on the feed.</summary>
    internal ChangePublisher(Func<IReadOnlyList<ChangeEvent>, Task> send, ILogger logger)
    {
        _send = send;
        _logger = logger;
    }

    private static Func<IReadOnlyList<ChangeEvent>, Task> FeedOf(IClusterClient client)
    {
        IAsyncStream<ChangeEvent>? stream = null;
        return events => (stream ??= client.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream)).OnNextBatchAsync(events);
    }

    /// <summary>Completes once the change is on the feed, or its failure is logged.</summary>
    public Task PublishAsync(ChangeEvent change)
    {
        var waiting = new Waiting(change);
        lock (_gate)
        {
            _waiting.Add(waiting);
            if (_sending)
            {
                return waiting.Sent.Task;
            }
            _sending = true;
        }
        // Off the caller's grain and without its ambient context: the loop sends other callers'
        // changes too, and must not carry the first caller's request context or trace into them.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(SendWhileWaitingAsync);
        }
        return waiting.Sent.Task;
    }

    private async Task SendWhileWaitingAsync()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }
                var count = Math.Min(_waiting.Count, MaxEventsPerMessage);
                batch = _waiting.GetRange(0, count);
                _waiting.RemoveRange(0, count);
            }
            await SendAsync(batch);
        }
    }

    private async Task SendAsync(List<Waiting> batch)
    {
        try
        {
            await _send(batch.ConvertAll(w => w.Change));
        }
        catch (Exception e) when (batch.Count > 1)
        {
            // Whatever refused the message (its size, say) may refuse only one of its events: each goes on its own.
            _logger.LogDebug(e, "A feed message of {Count} changes was refused; sending them one by one", batch.Count);
            foreach (var waiting in batch)
            {
                await SendAsync([waiting]);
            }
            return;
        }
        catch (Exception e)
        {
            var change = batch[0].Change;
            _logger.LogWarning(e, "Could not publish {Kind} for {Resource}; readers learn of it when their answers expire.", change.Kind, change.ResourceId ?? change.FolderId);
        }
        foreach (var waiting in batch)
        {
            waiting.Sent.TrySetResult();
        }
    }
}

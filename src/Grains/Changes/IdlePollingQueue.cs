using Orleans.Streams;

namespace Stratum.Changes;

/// <summary>
/// Reads the feed's queue at its full rate only while news flows. Pulses alone keep it busy enough
/// to look alive, yet need no haste: after <see cref="ChangeFeedOptions.QuietAfter"/> with nothing
/// but pulses, the receiver answers the pulling agent's ticks itself (empty, no storage request)
/// and reads the queue only every <see cref="ChangeFeedOptions.IdlePollPeriod"/>; the first news
/// it reads brings back every tick. Wraps whatever queue the provider uses (Azure Queue here).
/// </summary>
public sealed class IdlePollingAdapterFactory(IQueueAdapterFactory inner, ChangeFeedOptions options, TimeProvider time) : IQueueAdapterFactory
{
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) =>
        new Adapter(await inner.CreateAdapter(cancellationToken), options, time);

    public IQueueAdapterCache GetQueueAdapterCache() => inner.GetQueueAdapterCache();

    public IStreamQueueMapper GetStreamQueueMapper() => inner.GetStreamQueueMapper();

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => inner.GetDeliveryFailureHandler(queueId);

    private sealed class Adapter(IQueueAdapter inner, ChangeFeedOptions options, TimeProvider time) : IQueueAdapter
    {
        public string Name => inner.Name;

        public bool IsRewindable => inner.IsRewindable;

        public StreamProviderDirection Direction => inner.Direction;

        public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
            inner.QueueMessageBatchAsync(streamId, events, token, requestContext);

        public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => new IdlePollingReceiver(inner.CreateReceiver(queueId), options, time);
    }
}

/// <summary>The receiver of <see cref="IdlePollingAdapterFactory"/>: skips reads while the queue is idle.</summary>
public sealed class IdlePollingReceiver(IQueueAdapterReceiver inner, ChangeFeedOptions options, TimeProvider time) : IQueueAdapterReceiver
{
    private static readonly IList<IBatchContainer> Nothing = Array.Empty<IBatchContainer>();

    private long _lastNews;
    private long _lastRead;
    private bool _read;

    /// <summary>Reads that went to the queue (for tests and diagnostics).</summary>
    public long Reads { get; private set; }

    public Task Initialize(TimeSpan timeout)
    {
        _lastNews = time.GetTimestamp();
        return inner.Initialize(timeout, CancellationToken.None);
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var idle = time.GetElapsedTime(_lastNews) >= options.QuietAfter;
        if (idle && _read && time.GetElapsedTime(_lastRead) < options.IdlePollPeriod)
        {
            return Nothing;
        }
        _read = true;
        _lastRead = time.GetTimestamp();
        Reads++;
        var messages = await inner.GetQueueMessagesAsync(maxCount, cancellationToken);
        if (messages.Any(HasNews))
        {
            _lastNews = time.GetTimestamp();
        }
        return messages;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) =>
        messages.Count == 0 ? Task.CompletedTask : inner.MessagesDeliveredAsync(messages, cancellationToken);

    public Task Shutdown(TimeSpan timeout) => inner.Shutdown(timeout, CancellationToken.None);

    private static bool HasNews(IBatchContainer batch) => batch.GetEvents<ChangeEvent>().Any(e => e.Item1.Kind != ChangeKind.Pulse);
}

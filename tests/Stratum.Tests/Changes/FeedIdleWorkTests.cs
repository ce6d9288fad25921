using Microsoft.Extensions.Options;
using Orleans.Streams;
using Stratum.Changes;

namespace Stratum.Tests.Changes;

/// <summary>The feed's idle work, on a clock the test moves: pulses only into silence, queue reads slowed while only pulses flow.</summary>
public sealed class FeedIdleWorkTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void A_silo_pulses_only_after_an_interval_in_which_it_heard_nothing()
    {
        var schedule = new PulseSchedule(TimeSpan.FromMilliseconds(250), _time);
        Assert.True(schedule.ShouldPulse());

        schedule.Heard();
        _time.Advance(schedule.Tick);
        Assert.False(schedule.ShouldPulse());
        // News (or another silo's pulse) keeps arriving: no pulse is needed however long it goes on.
        for (var i = 0; i < 20; i++)
        {
            schedule.Heard();
            _time.Advance(schedule.Tick);
            Assert.False(schedule.ShouldPulse());
        }

        _time.Advance(schedule.Tick);
        Assert.True(schedule.ShouldPulse());
    }

    [Fact]
    public void News_from_the_feed_keeps_a_cache_fresh_as_a_pulse_does()
    {
        var cache = new LatestCache(Options.Create(new LatestCacheOptions()), _time);
        Assert.False(cache.IsFresh);

        Assert.True(cache.ApplyFromFeed(ChangeEvent.Of(ChangeKind.ImageUpdated, "fldaaaaaaaaaaaaaaaaa", "img00000000000000001")));
        Assert.True(cache.IsFresh);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.IsFresh);
        var news = ChangeEvent.Of(ChangeKind.ImageUpdated, "fldaaaaaaaaaaaaaaaaa", "img00000000000000001");
        cache.ApplyFromFeed(news);
        _time.Advance(TimeSpan.FromSeconds(2));
        // Delivered again: a duplicate, so it proves nothing new.
        Assert.False(cache.ApplyFromFeed(news));
        Assert.False(cache.IsFresh);
    }

    [Fact]
    public async Task The_queue_is_read_every_tick_while_news_flows_and_seldom_once_only_pulses_came_for_a_while()
    {
        var options = new ChangeFeedOptions
        {
            PollPeriod = TimeSpan.FromMilliseconds(50), IdlePollPeriod = TimeSpan.FromMilliseconds(200), QuietAfter = TimeSpan.FromSeconds(1),
        };
        var queue = new FakeReceiver();
        var receiver = new IdlePollingReceiver(queue, options, _time);
        await receiver.Initialize(TimeSpan.FromSeconds(1));

        async Task<int> TicksAsync(int ticks)
        {
            var before = queue.Reads;
            for (var i = 0; i < ticks; i++)
            {
                await receiver.GetQueueMessagesAsync(32, CancellationToken.None);
                _time.Advance(options.PollPeriod);
            }
            return queue.Reads - before;
        }

        // Just started: read on every tick until a quiet spell.
        queue.Next = ChangeKind.Pulse;
        Assert.Equal(20, await TicksAsync(20));
        // Only pulses for a second: one read in four ticks (every 200 ms).
        Assert.Equal(5, await TicksAsync(20));
        // News comes: from the read that finds it on, every tick again.
        queue.Next = ChangeKind.ImageReady;
        await TicksAsync(4);
        queue.Next = ChangeKind.Pulse;
        Assert.Equal(10, await TicksAsync(10));
    }

    private sealed class FakeReceiver : IQueueAdapterReceiver
    {
        public int Reads { get; private set; }
        public ChangeKind Next { get; set; }

        public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
        {
            Reads++;
            return Task.FromResult<IList<IBatchContainer>>([new Batch(ChangeEvent.Of(Next))]);
        }

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

        public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;
    }

    private sealed class Batch(ChangeEvent change) : IBatchContainer
    {
        public StreamId StreamId => ChangeFeed.Stream;
        public StreamSequenceToken SequenceToken => null!;
        public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
            change is T item ? [Tuple.Create(item, SequenceToken)] : [];
        public bool ImportRequestContext() => false;
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

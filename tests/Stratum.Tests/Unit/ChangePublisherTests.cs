using Microsoft.Extensions.Logging.Abstractions;
using Stratum.Changes;

namespace Stratum.Tests.Unit;

/// <summary>Group sending of the change feed: changes published while a message is on its way share the next one.</summary>
public sealed class ChangePublisherTests
{
    /// <summary>A feed whose sends wait until released, recording each message's events.</summary>
    private sealed class HeldFeed
    {
        private readonly List<TaskCompletionSource> _held = [];

        public List<IReadOnlyList<ChangeEvent>> Messages { get; } = [];
        public Func<IReadOnlyList<ChangeEvent>, bool> Refuses { get; init; } = _ => false;

        public Task SendAsync(IReadOnlyList<ChangeEvent> events)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_held)
            {
                Messages.Add(events);
                _held.Add(release);
            }
            return Refuses(events) ? release.Task.ContinueWith(_ => throw new InvalidOperationException("refused"), TaskScheduler.Default) : release.Task;
        }

        public int Count
        {
            get { lock (_held) { return Messages.Count; } }
        }

        public void ReleaseAll()
        {
            lock (_held)
            {
                _held.ForEach(h => h.TrySetResult());
            }
        }

        public async Task UntilAsync(int messages)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Count < messages)
            {
                Assert.True(DateTime.UtcNow < deadline, $"expected {messages} messages, saw {Count}");
                await Task.Delay(5);
            }
        }
    }

    /// <summary>Publishes img0, waits until its message is on its way, then publishes img1 to img{later} meanwhile.</summary>
    private static async Task<(Task First, List<Task> Later)> PublishDuringFirstAsync(HeldFeed feed, int later)
    {
        var publisher = new ChangePublisher(feed.SendAsync, NullLogger.Instance);
        var first = publisher.PublishAsync(Change(0));
        await feed.UntilAsync(1);
        return (first, Enumerable.Range(1, later).Select(n => publisher.PublishAsync(Change(n))).ToList());
    }

    private static ChangeEvent Change(int n) => ChangeEvent.Of(ChangeKind.ImageUpdated, "fldpublisherxxxxxxxx", $"img{n}", "grouped");

    [Fact]
    public async Task Changes_published_while_a_message_is_on_its_way_go_together_in_the_next_in_order()
    {
        var feed = new HeldFeed();

        var (first, later) = await PublishDuringFirstAsync(feed, 10);

        // Nothing is acknowledged before its message is sent.
        await Task.Delay(50);
        Assert.False(first.IsCompleted);
        Assert.All(later, t => Assert.False(t.IsCompleted));
        Assert.Equal(1, feed.Count);

        feed.ReleaseAll();
        await first;
        await feed.UntilAsync(2);
        Assert.All(later, t => Assert.False(t.IsCompleted));
        feed.ReleaseAll();
        await Task.WhenAll(later);

        Assert.Equal(2, feed.Count);
        Assert.Equal(["img0"], feed.Messages[0].Select(e => e.ResourceId));
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"img{n}"), feed.Messages[1].Select(e => e.ResourceId));
    }

    [Fact]
    public async Task A_message_holds_at_most_its_limit_of_changes()
    {
        var feed = new HeldFeed();
        var count = ChangePublisher.MaxEventsPerMessage * 2 + 5;
        var (first, later) = await PublishDuringFirstAsync(feed, count);

        for (var sent = 2; sent <= 4; sent++)
        {
            feed.ReleaseAll();
            await feed.UntilAsync(sent);
        }
        feed.ReleaseAll();
        await Task.WhenAll(later.Append(first));

        Assert.Equal([1, ChangePublisher.MaxEventsPerMessage, ChangePublisher.MaxEventsPerMessage, 5], feed.Messages.Select(m => m.Count));
        Assert.Equal(Enumerable.Range(0, count + 1).Select(n => $"img{n}"), feed.Messages.SelectMany(m => m).Select(e => e.ResourceId));
    }

    [Fact]
    public async Task A_refused_message_is_sent_again_change_by_change_and_a_change_refused_alone_is_still_acknowledged()
    {
        // The feed refuses any message holding img2 (too large, say): the others must still get through.
        var feed = new HeldFeed { Refuses = events => events.Any(e => e.ResourceId == "img2") };
        var (first, later) = await PublishDuringFirstAsync(feed, 3);

        var released = Task.Run(async () =>
        {
            while (!Task.WhenAll(later).IsCompleted)
            {
                feed.ReleaseAll();
                await Task.Delay(5);
            }
        });
        await Task.WhenAll(later.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));
        await released;

        Assert.Equal([["img0"], ["img1", "img2", "img3"], ["img1"], ["img2"], ["img3"]],
            feed.Messages.Select(m => m.Select(e => e.ResourceId!).ToArray()));
    }
}

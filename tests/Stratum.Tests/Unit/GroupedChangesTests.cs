using Stratum.Layers;
using Stratum.Storage;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>Group commit of a grain's state: changes asked for while a write is on its way share the next write.</summary>
public sealed class GroupedChangesTests
{
    /// <summary>A store whose writes wait until released, and may fail.</summary>
    private sealed class HeldStore : IPersistentState<LayerState>
    {
        private readonly Queue<TaskCompletionSource> _held = new();

        public List<List<string>> Written { get; } = [];
        public LayerState State { get; set; } = new();
        public string Etag => "1";
        public bool RecordExists => true;

        public Task WriteStateAsync()
        {
            Written.Add([.. State.Shards]);
            var write = new TaskCompletionSource();
            _held.Enqueue(write);
            return write.Task;
        }

        public void Release(Exception? failure = null)
        {
            var write = _held.Dequeue();
            _ = failure is null ? write.TrySetResult() : write.TrySetException(failure);
        }

        public Task ClearStateAsync() => throw new NotSupportedException();
        public Task ReadStateAsync() => Task.CompletedTask;
    }

    // One change at a time, as a grain's scheduler runs its calls and their continuations.
    private static readonly TaskScheduler Grain = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;

    private static Task<T> OnGrain<T>(Func<T> work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, Grain);

    private static async Task UntilAsync(Func<bool> done)
    {
        for (var i = 0; i < 1000 && !done(); i++)
        {
            await Task.Delay(5);
        }
        Assert.True(done());
    }

    /// <summary>A grouped state whose first change ("a") is being written, held until released.</summary>
    private static async Task<(HeldStore Store, StoredState<LayerState> State, GroupedChanges<LayerState> Grouped, Task First)> FirstOnItsWayAsync()
    {
        var store = new HeldStore();
        var state = new StoredState<LayerState>(store, Copiers.For<LayerState>());
        var grouped = new GroupedChanges<LayerState>(state);
        var first = await OnGrain(() => grouped.ChangeAsync(Pin("a")));
        Assert.Single(store.Written);
        return (store, state, grouped, first);
    }

    private static Func<LayerState, bool> Pin(string shard) => s =>
    {
        s.Shards.Add(shard);
        return true;
    };

    [Fact]
    public async Task Changes_asked_for_during_a_write_share_the_next_write_in_order()
    {
        var (store, state, grouped, first) = await FirstOnItsWayAsync();
        var later = await OnGrain(() => new[] { "b", "c", "d" }.Select(s => grouped.ChangeAsync(Pin(s))).ToList());
        Assert.Single(store.Written);

        store.Release();
        await first;
        await UntilAsync(() => store.Written.Count == 2);
        Assert.All(later, t => Assert.False(t.IsCompleted));
        store.Release();
        await Task.WhenAll(later);

        Assert.Equal([["a"], ["a", "b", "c", "d"]], store.Written);
        Assert.Equal(["a", "b", "c", "d"], state.Value.Shards);
    }

    [Fact]
    public async Task A_refused_change_is_refused_alone_and_the_others_are_stored()
    {
        var (store, state, grouped, first) = await FirstOnItsWayAsync();
        var later = await OnGrain(() => new[]
        {
            grouped.ChangeAsync(Pin("b")),
            grouped.ChangeAsync(_ => throw StratumException.Precondition("refused")),
            grouped.ChangeAsync(Pin("c")),
        });

        store.Release();
        await UntilAsync(() => store.Written.Count == 2);
        store.Release();
        await first;
        await later[0];
        await later[2];

        Assert.Equal("refused", (await Assert.ThrowsAsync<StratumException>(() => later[1])).Message);
        Assert.Equal(["a", "b", "c"], state.Value.Shards);
    }

    [Fact]
    public async Task A_failed_write_fails_every_change_it_carried_and_stores_none_of_them()
    {
        var (store, state, grouped, first) = await FirstOnItsWayAsync();
        var later = await OnGrain(() => new[] { "b", "c" }.Select(s => grouped.ChangeAsync(Pin(s))).ToList());

        store.Release();
        await UntilAsync(() => store.Written.Count == 2);
        store.Release(new IOException("storage down"));
        await first;

        foreach (var failed in later)
        {
            Assert.Equal(ErrorCode.Unavailable, (await Assert.ThrowsAsync<StratumException>(() => failed)).Code);
        }
        Assert.Equal(["a"], state.Value.Shards);
        // The next change is decided on what was stored.
        var next = await OnGrain(() => grouped.ChangeAsync(Pin("d")));
        store.Release();
        await next;
        Assert.Equal(["a", "d"], state.Value.Shards);
    }
}

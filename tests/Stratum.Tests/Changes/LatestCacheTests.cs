using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stratum.Changes;

namespace Stratum.Tests.Changes;

/// <summary>The latest cache on a clock the test moves: when it answers, and when it steps aside.</summary>
public sealed class LatestCacheTests
{
    private const string Folder = "fldaaaaaaaaaaaaaaaaa";
    private readonly ManualTime _time = new();
    private readonly LatestCache _cache;
    private readonly Caller _bob = Caller.User("bob");
    private int _fetches;
    private Image _current = Image("img00000000000000001");

    public LatestCacheTests() => _cache = new LatestCache(Options.Create(new LatestCacheOptions()), _time);

    private Task<Image> ReadAsync(Caller? caller = null, bool bypass = false) =>
        _cache.GetLatestAsync(caller ?? _bob, Folder, "debian", bypass, () =>
        {
            _fetches++;
            return Task.FromResult(_current);
        });

    private void Pulse() => _cache.Apply(ChangeEvent.Of(ChangeKind.Pulse));

    [Fact]
    public async Task While_pulses_arrive_a_second_read_is_served_from_the_cache()
    {
        Pulse();
        await ReadAsync();
        var second = await ReadAsync();

        Assert.Equal(1, _fetches);
        Assert.Equal(1, _cache.Fetches);
        Assert.Equal(_current.Id, second.Id);
    }

    [Fact]
    public async Task Reads_are_counted_in_a_metric_as_hits_and_fetches()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var cache = new LatestCache(Options.Create(new LatestCacheOptions()), _time, meters);
        cache.Apply(ChangeEvent.Of(ChangeKind.Pulse));
        for (var i = 0; i < 3; i++)
        {
            await cache.GetLatestAsync(_bob, Folder, "debian", bypass: false, () => Task.FromResult(_current));
        }
        Assert.NotNull(cache.TryGetKept(_bob, Folder, "debian", Cohorts.Bucket(Folder, "debian", _bob)));

        // Only this test's meters: other caches in the process count their own reads.
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "stratum.latest_cache.reads")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => counted[(string)tags[0].Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(new Dictionary<string, long> { ["hit"] = 3, ["fetch"] = 1 }, counted);
    }

    [Fact]
    public async Task A_fetch_given_state_gets_it_on_a_miss_and_is_not_called_on_a_hit()
    {
        Pulse();
        var bucket = Cohorts.Bucket(Folder, "debian", _bob);
        var handed = new List<string>();
        Task<Image> Read(string state) => _cache.GetLatestAsync(_bob, Folder, "debian", bucket, bypass: false, state, s =>
        {
            handed.Add(s);
            return Task.FromResult(_current);
        });

        await Read("first");
        var hit = Read("second");

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Equal(_current.Id, (await hit).Id);
        Assert.Equal(["first"], handed);
    }

    [Fact]
    public async Task Each_caller_has_its_own_answer_because_each_was_authorized_separately()
    {
        Pulse();
        await ReadAsync(_bob);
        await ReadAsync(Caller.User("alice"));

        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task An_event_in_the_folder_drops_its_answers()
    {
        Pulse();
        await ReadAsync();
        _current = Image("img00000000000000002");
        _cache.Apply(ChangeEvent.Of(ChangeKind.FamilyLatestChanged, Folder, _current.Id, "debian", 2, 2));

        Assert.Equal(_current.Id, (await ReadAsync()).Id);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task An_event_in_another_folder_keeps_them()
    {
        Pulse();
        await ReadAsync();
        _cache.Apply(ChangeEvent.Of(ChangeKind.AccessChanged, "fldbbbbbbbbbbbbbbbbb"));
        await ReadAsync();

        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task A_duplicate_event_is_dropped()
    {
        Pulse();
        var change = ChangeEvent.Of(ChangeKind.ImageDeprecated, Folder, "img00000000000000001", "debian");
        Assert.True(_cache.Apply(change));
        await ReadAsync();

        Assert.False(_cache.Apply(change));
        await ReadAsync();
        Assert.Equal(1, _fetches);
        Assert.Equal(1, _cache.DuplicatesDropped);
    }

    [Fact]
    public async Task Without_a_recent_pulse_every_read_goes_to_the_grains()
    {
        await ReadAsync();
        Pulse();
        await ReadAsync();
        await ReadAsync();
        Assert.Equal(2, _fetches);

        _time.Advance(TimeSpan.FromMilliseconds(1001));
        Assert.False(_cache.IsFresh);
        _current = Image("img00000000000000002");
        Assert.Equal(_current.Id, (await ReadAsync()).Id);
        Assert.Equal(3, _fetches);
    }

    [Theory]
    [InlineData(false)]   // no recent pulse: nothing kept may answer
    [InlineData(true)]    // fresh, but nothing kept yet
    public async Task Reads_of_one_answer_while_it_is_fetched_join_that_fetch_instead_of_each_making_one(bool fresh)
    {
        if (fresh)
        {
            Pulse();
        }
        var answer = new TaskCompletionSource<Image>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Image> Slow() => _cache.GetLatestAsync(_bob, Folder, "debian", bypass: false, () =>
        {
            _fetches++;
            return answer.Task;
        });

        var readers = Enumerable.Range(0, 32).Select(_ => Slow()).ToList();
        var other = await ReadAsync(Caller.User("carol"));
        answer.SetResult(_current);
        var answers = await Task.WhenAll(readers);

        // One fetch for bob's 32 reads (carol's answer is her own: one more), all answered with its image.
        Assert.Equal(2, _fetches);
        Assert.Equal(31, _cache.Joined);
        Assert.All(answers, image => Assert.Equal(_current.Id, image.Id));
        Assert.Equal(_current.Id, other.Id);
        // Done, it is joined no more: without pulses the next read fetches again; fresh, it is a hit.
        await Slow();
        Assert.Equal(fresh ? 2 : 3, _fetches);
    }

    [Fact]
    public async Task A_read_after_a_change_in_the_folder_does_not_join_a_fetch_started_before_it()
    {
        Pulse();
        var before = new TaskCompletionSource<Image>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _cache.GetLatestAsync(_bob, Folder, "debian", bypass: false, () => before.Task);
        _cache.Apply(ChangeEvent.Of(ChangeKind.ImageReady, Folder, "img00000000000000002", "debian"));
        _current = Image("img00000000000000002");

        var after = await ReadAsync();
        before.SetResult(Image("img00000000000000001"));

        Assert.Equal("img00000000000000002", after.Id);
        Assert.Equal("img00000000000000001", (await first).Id);
        Assert.Equal(0, _cache.Joined);
    }

    [Fact]
    public async Task An_answer_no_event_touched_expires_after_its_lifetime()
    {
        Pulse();
        await ReadAsync();
        _time.Advance(TimeSpan.FromMilliseconds(1001));
        Pulse();
        await ReadAsync();

        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task A_reader_that_asks_to_bypass_goes_to_the_grains()
    {
        Pulse();
        await ReadAsync();
        await ReadAsync(bypass: true);

        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task An_answer_fetched_while_its_folder_changed_is_not_kept()
    {
        Pulse();
        await _cache.GetLatestAsync(_bob, Folder, "debian", false, () =>
        {
            _fetches++;
            _cache.Apply(ChangeEvent.Of(ChangeKind.ImageReady, Folder, "img00000000000000002", "debian"));
            return Task.FromResult(_current);
        });
        await ReadAsync();

        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Not_found_is_kept_too_until_the_folder_changes()
    {
        Pulse();
        Task<Image> Missing()
        {
            _fetches++;
            throw new StratumException(ErrorCode.NotFound, "none");
        }
        await Assert.ThrowsAsync<StratumException>(() => _cache.GetLatestAsync(_bob, Folder, "debian", false, Missing));
        var cached = await Assert.ThrowsAsync<StratumException>(() => _cache.GetLatestAsync(_bob, Folder, "debian", false, Missing));
        Assert.Equal((ErrorCode.NotFound, "none", 1), (cached.Code, cached.Message, _fetches));

        _cache.Apply(ChangeEvent.Of(ChangeKind.ImageReady, Folder, "img00000000000000002", "debian"));
        Assert.Equal(_current.Id, (await ReadAsync()).Id);
    }

    [Fact]
    public async Task A_disabled_cache_never_answers()
    {
        var cache = new LatestCache(Options.Create(new LatestCacheOptions { Enabled = false }), _time);
        cache.Apply(ChangeEvent.Of(ChangeKind.Pulse));
        for (var i = 0; i < 2; i++)
        {
            await cache.GetLatestAsync(_bob, Folder, "debian", false, () => Task.FromResult(Image($"img0000000000000000{i}")).ContinueWith(t => { _fetches++; return t.Result; }));
        }
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public void A_writer_is_remembered_for_the_read_your_writes_window_only()
    {
        var writes = new WriteTracker(Options.Create(new LatestCacheOptions()), _time);
        writes.Note(_bob.Subject);
        Assert.True(writes.WroteRecently(_bob.Subject));
        Assert.False(writes.WroteRecently(Caller.User("alice").Subject));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(writes.WroteRecently(_bob.Subject));
    }

    [Fact]
    public void Recent_ids_forget_the_oldest_beyond_their_capacity()
    {
        var ids = new RecentIds(capacity: 2);
        Assert.True(ids.Add("a"));
        Assert.True(ids.Add("b"));
        Assert.False(ids.Add("a"));
        Assert.True(ids.Add("c"));
        Assert.True(ids.Add("a"));
    }

    private static Image Image(string id) => new(id, Folder, DateTimeOffset.UnixEpoch, "n", "", new Dictionary<string, string>(), "debian",
        1, 4 << 20, [], ImageStatus.Ready, new OsInfo(OsType.Linux), false, null, null, null, Deprecation.Active, 1);

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

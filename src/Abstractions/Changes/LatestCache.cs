using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Stratum.Changes;

/// <summary>
/// "Latest in family" answers kept next to the reader (one per gateway, one per silo), each the
/// decision the grains made for one caller, so authorization stays decided in one place. The
/// change feed keeps it honest: any event in a folder drops that folder's answers, and without
/// recent pulses the cache answers nothing and every read goes to the grains.
/// </summary>
public sealed class LatestCache
{
    /// <summary>The request-context key by which a reader asks every cache on the path to step aside.</summary>
    public const string BypassKey = "stratum.bypass-latest-cache";

    /// <summary>The meter of <c>stratum.latest_cache.reads</c>.</summary>
    public const string MeterName = "Stratum.LatestCache";

    private static readonly KeyValuePair<string, object?> HitTag = new("stratum.result", "hit");
    private static readonly KeyValuePair<string, object?> FetchTag = new("stratum.result", "fetch");

    private readonly LatestCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    // The fetches under way: a read that finds one for its key, started under the folder's current
    // generation (no change heard of since), joins it instead of asking the grains again.
    private readonly ConcurrentDictionary<(Key Key, bool Keep, long Generation), Task<Image>> _fetching = new();
    // Bumped by every change in a folder; an answer fetched under an older generation is not kept.
    private readonly ConcurrentDictionary<string, long> _generations = new();
    private readonly RecentIds _seen = new();
    private long _lastPulse = long.MinValue;
    private long _duplicates;
    private long _fetches;
    private long _hits;
    private long _joined;

    /// <summary>
    /// A cache on <paramref name="time"/>. With <paramref name="meters"/>, its reads are counted in
    /// <c>stratum.latest_cache.reads</c> (meter <see cref="MeterName"/>; tag <c>stratum.result</c>
    /// <c>hit</c> or <c>fetch</c>), observed only when collected: a hit is counted, never traced.
    /// </summary>
    public LatestCache(IOptions<LatestCacheOptions> options, TimeProvider time, IMeterFactory? meters = null)
    {
        _options = options.Value;
        _time = time;
        if (meters is not null)
        {
            meters.Create(MeterName).CreateObservableCounter("stratum.latest_cache.reads",
                () => new Measurement<long>[] { new(Hits, HitTag), new(Fetches, FetchTag) },
                unit: "{read}", description: "Latest-in-family reads answered from this process's cache (hit) or sent to the grains (fetch).");
        }
    }

    /// <summary>A cache on the system clock.</summary>
    public LatestCache(IOptions<LatestCacheOptions> options, IMeterFactory? meters = null) : this(options, TimeProvider.System, meters)
    {
    }

    /// <summary>Whether the feed delivered a pulse recently enough for cached answers to be trusted.</summary>
    public bool IsFresh
    {
        get
        {
            var last = Interlocked.Read(ref _lastPulse);
            return _options.Enabled && last != long.MinValue && _time.GetElapsedTime(last) <= _options.FreshFor;
        }
    }

    /// <summary>Answers for the caller's own cohort (its subject) from the cache when it may, else fetches.</summary>
    public Task<Image> GetLatestAsync(Caller caller, string folderId, string family, bool bypass, Func<Task<Image>> fetch) =>
        GetLatestAsync(caller, folderId, family, Cohorts.Bucket(folderId, family, Cohorts.KeyOf(caller)), bypass, fetch);

    /// <summary>
    /// Answers from the cache when it may, else fetches (and keeps the answer, a 404 included). An
    /// answer is kept per caller (the authorizer's decision) and cohort bucket (the rollout's).
    /// </summary>
    public Task<Image> GetLatestAsync(Caller caller, string folderId, string family, int bucket, bool bypass, Func<Task<Image>> fetch) =>
        GetLatestAsync(caller, folderId, family, bucket, bypass, fetch, static fetch => fetch());

    /// <summary>
    /// As the overload without <paramref name="state"/>, for a caller on a hot path: <paramref name="fetch"/> gets
    /// <paramref name="state"/>, so a hit needs no closure allocated for a fetch it does not make.
    /// </summary>
    public Task<Image> GetLatestAsync<TState>(Caller caller, string folderId, string family, int bucket, bool bypass, TState state, Func<TState, Task<Image>> fetch)
    {
        if (bypass || !_options.Enabled)
        {
            Interlocked.Increment(ref _fetches);
            return fetch(state);
        }
        var key = new Key(folderId, family, caller, bucket);
        var generation = Generation(folderId);
        if (!IsFresh)
        {
            // Nothing kept may be trusted, but a fetch for the same answer already under way started at
            // most one fetch ago: joined, a flood of readers of one family costs the grains one read at a
            // time instead of one each, which would keep the silos (and the feed they carry) too busy to recover.
            return Shared(key, keep: false, generation, state, fetch);
        }
        // A hit completes synchronously: no state machine on the hottest path.
        if (Current(key, generation) is { } entry)
        {
            Interlocked.Increment(ref _hits);
            return entry.Answer ?? Task.FromException<Image>(new StratumException(ErrorCode.NotFound, entry.NotFoundMessage!));
        }
        return Shared(key, keep: true, generation, state, fetch);
    }

    /// <summary>
    /// The kept image for the caller and cohort bucket, when the cache may answer (fresh, current,
    /// not a 404); null otherwise, and nothing is fetched. For a reader that has a slower way to
    /// every other answer.
    /// </summary>
    public Image? TryGetKept(Caller caller, string folderId, string family, int bucket)
    {
        if (!IsFresh || Current(new Key(folderId, family, caller, bucket), Generation(folderId)) is not { Answer: { } answer })
        {
            return null;
        }
        Interlocked.Increment(ref _hits);
        return answer.Result;
    }

    private Entry? Current(Key key, long generation) =>
        _entries.TryGetValue(key, out var entry) && entry.Generation == generation && _time.GetElapsedTime(entry.StoredAt) <= _options.EntryLifetime ? entry : null;

    /// <summary>The fetch under way for the key, joined; else a new one, kept (a 404 too) when <paramref name="keep"/>.</summary>
    private Task<Image> Shared<TState>(Key key, bool keep, long generation, TState state, Func<TState, Task<Image>> fetch)
    {
        if (_fetching.TryGetValue((key, keep, generation), out var running))
        {
            Interlocked.Increment(ref _joined);
            return running;
        }
        var answer = new TaskCompletionSource<Image>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_fetching.TryAdd((key, keep, generation), answer.Task))
        {
            return Shared(key, keep, generation, state, fetch);
        }
        _ = FetchAsync(key, keep, generation, state, fetch, answer);
        return answer.Task;
    }

    private async Task FetchAsync<TState>(Key key, bool keep, long generation, TState state, Func<TState, Task<Image>> fetch, TaskCompletionSource<Image> answer)
    {
        Interlocked.Increment(ref _fetches);
        Image? image = null;
        Exception? failure = null;
        try
        {
            image = await fetch(state);
            if (keep)
            {
                Keep(key, new Entry(Task.FromResult(image), null, generation, _time.GetTimestamp()));
            }
        }
        catch (Exception e)
        {
            failure = e;
            if (keep && e is StratumException { Code: ErrorCode.NotFound })
            {
                Keep(key, new Entry(null, e.Message, generation, _time.GetTimestamp()));
            }
        }
        // No longer joinable before anyone hears the answer: a read that follows one answered is a
        // read of its own (a hit, when kept). Removed after the answer is kept, so a read between finds one or the other.
        _fetching.TryRemove(KeyValuePair.Create((key, keep, generation), answer.Task));
        if (failure is null)
        {
            answer.SetResult(image!);
        }
        else
        {
            answer.SetException(failure);
        }
    }

    /// <summary>Takes one event from the feed; false when it was a duplicate and changed nothing.</summary>
    public bool Apply(ChangeEvent change)
    {
        if (!_seen.Add(change.Id))
        {
            Interlocked.Increment(ref _duplicates);
            return false;
        }
        if (change.Kind == ChangeKind.Pulse)
        {
            Interlocked.Exchange(ref _lastPulse, _time.GetTimestamp());
        }
        else if (change.FolderId is { } folderId)
        {
            _generations.AddOrUpdate(folderId, 1, (_, g) => g + 1);
        }
        return true;
    }

    /// <summary>How many answers are kept (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>How many reads went to the grains (a miss, a bypass, or a cache that was not fresh).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>How many reads joined a fetch already under way for the same answer instead of making their own.</summary>
    public long Joined => Interlocked.Read(ref _joined);

    /// <summary>How many reads were answered from the cache (a kept 404 included).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>How many events arrived a second time and were dropped.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicates);

    private long Generation(string folderId) => _generations.GetValueOrDefault(folderId);

    private void Keep(Key key, Entry entry)
    {
        // A change that arrived while the answer was fetched may have made it stale: keep only answers
        // fetched under the folder's current generation.
        if (entry.Generation != Generation(key.FolderId))
        {
            return;
        }
        if (_entries.Count >= _options.MaxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = entry;
    }

    private readonly record struct Key(string FolderId, string Family, Caller Caller, int Bucket);

    /// <summary>A kept answer: the completed task every hit returns, or the message of a 404 (a fresh exception per hit).</summary>
    private sealed record Entry(Task<Image>? Answer, string? NotFoundMessage, long Generation, long StoredAt);
}

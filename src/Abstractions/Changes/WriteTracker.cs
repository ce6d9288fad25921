using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Stratum.Changes;

/// <summary>
/// Remembers, in a client process, which callers recently changed images (or saw such a change
/// finish), so that their next reads skip the caches: read-your-writes without waiting on the feed.
/// </summary>
public sealed class WriteTracker(IOptions<LatestCacheOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Subject, long> _lastWrite = new();
    private long _lastPrune;

    /// <summary>A tracker on the system clock.</summary>
    public WriteTracker(IOptions<LatestCacheOptions> options) : this(options, TimeProvider.System)
    {
    }

    /// <summary>Records that the subject just changed something latest depends on.</summary>
    public void Note(Subject subject)
    {
        // Forget expired writers now and then (at most once a window), not on every write.
        var now = time.GetTimestamp();
        var lastPrune = Interlocked.Read(ref _lastPrune);
        if (_lastWrite.Count > 10_000 && time.GetElapsedTime(lastPrune, now) > options.Value.ReadYourWritesFor
            && Interlocked.CompareExchange(ref _lastPrune, now, lastPrune) == lastPrune)
        {
            foreach (var (key, at) in _lastWrite)
            {
                if (time.GetElapsedTime(at) > options.Value.ReadYourWritesFor)
                {
                    _lastWrite.TryRemove(key, out _);
                }
            }
        }
        _lastWrite[subject] = now;
    }

    /// <summary>Whether the subject's reads should still skip the caches.</summary>
    public bool WroteRecently(Subject subject) =>
        _lastWrite.TryGetValue(subject, out var at) && time.GetElapsedTime(at) < options.Value.ReadYourWritesFor;
}

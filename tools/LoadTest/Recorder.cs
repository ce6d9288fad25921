using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stratum.LoadTest;

/// <summary>Latencies and outcomes of a run, overall and per second, safe to record from many callers.</summary>
public sealed class Recorder
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<(double At, double Ms)> _successes = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ConcurrentDictionary<string, string> _firstMessages = new();
    private int _succeeded;

    public int Succeeded => _succeeded;
    public int Failed => _errors.Values.Sum();
    public double Seconds => _clock.Elapsed.TotalSeconds;
    public IReadOnlyDictionary<string, int> ErrorsByCode => _errors;

    /// <summary>The first message seen for each code: a count alone does not say why (a trial's 1500 failures showed only "3: 1500").</summary>
    public IReadOnlyDictionary<string, string> FirstMessageByCode => _firstMessages;

    public void Success(double milliseconds, int items = 1)
    {
        Interlocked.Add(ref _succeeded, items);
        for (var i = 0; i < items; i++)
        {
            _successes.Add((Seconds, milliseconds));
        }
    }

    public void Failure(CallFailure failure, int items = 1)
    {
        _firstMessages.TryAdd(failure.Code, failure.Message);
        _errors.AddOrUpdate(failure.Code, items, (_, n) => n + items);
    }

    public Latency Latency() => Stratum.LoadTest.Latency.Of(_successes.Select(s => s.Ms));

    /// <summary>Throughput and p99 for each whole second of the run.</summary>
    public IReadOnlyList<(int Second, int Count, double P99)> PerSecond() => PerSecond(_successes);

    /// <summary>
    /// Completions and their p99 for every second from the run's start to the last completion's, a second
    /// without any included (0, 0): a stall (a silo killed) is what the series is there to show.
    /// </summary>
    public static IReadOnlyList<(int Second, int Count, double P99)> PerSecond(IEnumerable<(double At, double Ms)> successes)
    {
        var bySecond = successes.GroupBy(s => (int)s.At).ToDictionary(g => g.Key, g => g.Select(s => s.Ms).Order().ToList());
        return bySecond.Count == 0 ? [] : Enumerable.Range(0, bySecond.Keys.Max() + 1)
            .Select(second => bySecond.TryGetValue(second, out var ms) ? (second, ms.Count, Stratum.LoadTest.Latency.Percentile(ms, 99)) : (second, 0, 0.0))
            .ToList();
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Latency(double P50, double P95, double P99, double Max)
{
    public static Latency Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToList();
        return new Latency(Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted.Count == 0 ? 0 : sorted[^1]);
    }

    /// <summary>The nearest-rank percentile of sorted samples (0 for none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stratum.Diagnostics;

/// <summary>
/// Where a silo's time goes on its busiest paths (a create's way through the compute front door
/// and its deployment shard, an image's creation): each stage a histogram kept as counts in fixed
/// logarithmic buckets, so recording a sample is two interlocked adds and allocates nothing. One
/// per silo; <c>/stats/stages</c> serves it, and the load-test tool turns the difference between
/// two readings into per-stage percentiles of its run.
/// </summary>
public sealed class StageTimings
{
    /// <summary>A create in the compute front door until it is handed to its shard (authorize, resolve the source, route).</summary>
    public const string ComputeFront = "compute.front";
    /// <summary>A create in the compute front door from arrival to answer.</summary>
    public const string ComputeTotal = "compute.total";
    /// <summary>A command waiting in its shard's queue until a flush takes it.</summary>
    public const string ShardQueue = "shard.queue";
    /// <summary>A flush waiting for the folder to raise the shard's quota allowance (only flushes that needed one).</summary>
    public const string ShardAllowance = "shard.allowance";
    /// <summary>A raise of the allowance asked for before it ran out, in the background (no flush waits for it).</summary>
    public const string ShardRaiseAhead = "shard.raise-ahead";
    /// <summary>A flush whose allowance ran out waiting for the raise ahead already on its way (only flushes that had to).</summary>
    public const string ShardAheadWait = "shard.ahead-wait";
    /// <summary>A shard activating: reading its counters row.</summary>
    public const string ShardActivate = "shard.activate";
    /// <summary>A shard settling its allowance with the folder before its first admission.</summary>
    public const string ShardSync = "shard.sync";
    /// <summary>A shard pinning a base layer it has not used before (its first create from that layer).</summary>
    public const string ShardPin = "shard.pin";
    /// <summary>A flush reserving its resources' names in the folder's name partition.</summary>
    public const string ShardNames = "shard.names";
    /// <summary>A flush's table transaction (rows, operations, counters).</summary>
    public const string ShardCommit = "shard.commit";
    /// <summary>A flush from taking its batch to answering it.</summary>
    public const string ShardFlush = "shard.flush";
    /// <summary>Commands committed by one transaction (a count, not milliseconds).</summary>
    public const string ShardBatch = "shard.batch";
    /// <summary>An image create in its grain until it is accepted (CREATING, operation answered).</summary>
    public const string ImageAccept = "image.accept";
    /// <summary>An image's data moving (a copy or an import).</summary>
    public const string ImageTransfer = "image.transfer";
    /// <summary>An image's data stored until it is READY and its operation done.</summary>
    public const string ImageFinish = "image.finish";

    private readonly ConcurrentDictionary<string, Histogram> _stages = new(StringComparer.Ordinal);

    /// <summary>A timestamp to pass to <see cref="Since"/>.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Records the milliseconds since <paramref name="started"/>.</summary>
    public void Since(string stage, long started) => Record(stage, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    /// <summary>Records one sample: milliseconds, or a count for the stages that count.</summary>
    public void Record(string stage, double value) => _stages.GetOrAdd(stage, static _ => new Histogram()).Add(value);

    /// <summary>Every stage recorded so far: its sample count, sum, and non-empty buckets as (upper bound, count).</summary>
    public IReadOnlyDictionary<string, StageReading> Read() =>
        _stages.ToDictionary(s => s.Key, s => s.Value.Read(), StringComparer.Ordinal);

    /// <summary>Four buckets per doubling from 0.01: a reading is within 19% of the truth, from 10 µs to days.</summary>
    internal sealed class Histogram
    {
        private const int Buckets = 128;
        private const double Smallest = 0.01;
        private readonly long[] _counts = new long[Buckets];
        private long _count;
        private long _sumMicro;

        public static double UpperBound(int bucket) => Smallest * Math.Pow(2, bucket / 4.0);

        public static int BucketOf(double value) =>
            value <= Smallest ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(4 * Math.Log2(value / Smallest)));

        public void Add(double value)
        {
            Interlocked.Increment(ref _counts[BucketOf(value)]);
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumMicro, (long)(value * 1000));
        }

        public StageReading Read()
        {
            var buckets = new List<double[]>();
            for (var i = 0; i < Buckets; i++)
            {
                if (Interlocked.Read(ref _counts[i]) is var n and > 0)
                {
                    buckets.Add([Math.Round(UpperBound(i), 4), n]);
                }
            }
            return new StageReading(Interlocked.Read(ref _count), Interlocked.Read(ref _sumMicro) / 1000.0, buckets);
        }
    }
}

/// <summary>A stage as read: samples, their sum, and the non-empty buckets as [upper bound, count].</summary>
public sealed record StageReading(long Count, double Sum, IReadOnlyList<double[]> Buckets);

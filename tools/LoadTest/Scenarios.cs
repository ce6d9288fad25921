using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stratum.LoadTest;

/// <summary>The four scenarios. Every mutation carries an Idempotency-Key and is retried on transient errors with jittered backoff.</summary>
public sealed class Scenarios(LoadOptions options, ITarget target, string folderId, string runId)
{
    // Enough to ride out a silo failover (membership notices a dead silo in about 10-15 s).
    private const int MaxAttempts = 14;

    public ConcurrentBag<string> Acknowledged { get; } = [];
    public int AcknowledgedCount => _acknowledgedCount;
    public Recorder Lookups { get; } = new();

    private int _acknowledgedCount;

    /// <summary>N instances, each with a new boot disk from the family, by single creates.</summary>
    public Task DeployAsync(Recorder recorder, int concurrency, CancellationToken stop = default) =>
        CreateEachAsync(recorder, concurrency, i => target.CreateInstanceAsync(folderId, options.Family, $"lt-{runId}-{i}", $"{runId}-vm-{i}"), stop);

    /// <summary>The names of the images a run creates begin with this.</summary>
    public static string ImageNamePrefix(string runId) => $"lt-{runId}-img-";

    /// <summary>N images, each created from the source image and waited for until READY, by single creates.</summary>
    public Task ImagesAsync(Recorder recorder, string sourceImageId, int concurrency) =>
        CreateEachAsync(recorder, concurrency, i => target.CreateImageAsync(folderId, sourceImageId, $"{ImageNamePrefix(runId)}{i}", $"{runId}-img-{i}"));

    /// <summary>N creates, <paramref name="concurrency"/> at a time, each retried by its key; the ids acknowledged are kept.</summary>
    private Task CreateEachAsync(Recorder recorder, int concurrency, Func<int, Task<string>> create, CancellationToken stop = default) =>
        Parallel.ForEachAsync(Enumerable.Range(0, options.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = stop }, async (i, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await WithRetriesAsync(() => create(i));
            if (outcome.Value is { } id)
            {
                Acknowledged.Add(id);
                Interlocked.Increment(ref _acknowledgedCount);
                recorder.Success(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                recorder.Failure(outcome.Failure!);
            }
        });

    /// <summary>The same through instances:bulkCreate, <c>--batch</c> instances a call.</summary>
    public Task BulkAsync(Recorder recorder) =>
        Parallel.ForEachAsync(Enumerable.Range(0, (options.Count + options.Batch - 1) / options.Batch),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency / 16) }, async (b, _) =>
        {
            var count = Math.Min(options.Batch, options.Count - b * options.Batch);
            var started = Stopwatch.GetTimestamp();
            var outcome = await WithRetriesAsync(() => target.BulkCreateAsync(folderId, options.Family, $"lt-{runId}-{b}", count, $"{runId}-bulk-{b}"));
            if (outcome.Value is var (created, failures) && outcome.Failure is null)
            {
                Interlocked.Add(ref _acknowledgedCount, created);
                recorder.Success(Stopwatch.GetElapsedTime(started).TotalMilliseconds, created);
                foreach (var failure in failures)
                {
                    recorder.Failure(failure);
                }
            }
            else
            {
                recorder.Failure(outcome.Failure!, count);
            }
        });

    /// <summary>N latestByFamily lookups.</summary>
    public Task LookupAsync(Recorder recorder, int count, int concurrency, CancellationToken stop = default) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = stop }, async (_, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await target.LatestAsync(folderId, options.Family);
                recorder.Success(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (CallFailedException e)
            {
                recorder.Failure(new CallFailure(e.Code, e.Message));
            }
        });

    /// <summary>Lookups while deploying, while new images are published into the family and old ones deprecated.</summary>
    public async Task MixedAsync(Recorder recorder, Preparation preparation, string firstImageId)
    {
        using var done = new CancellationTokenSource();
        var deploy = DeployAsync(recorder, Math.Max(1, options.Concurrency / 2)).ContinueWith(_ => done.Cancel(), TaskScheduler.Default);
        var lookups = LookupAsync(Lookups, int.MaxValue, Math.Max(1, options.Concurrency / 2), done.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        var previous = firstImageId;
        while (!done.IsCancellationRequested)
        {
            await Task.Delay(1000).ContinueWith(_ => { }, TaskScheduler.Default);
            if (done.IsCancellationRequested)
            {
                break;
            }
            var next = await preparation.PublishAsync(folderId, options.Family);
            await preparation.DeprecateAsync(previous);
            previous = next;
        }
        await Task.WhenAll(deploy, lookups);
    }

    private static async Task<(T? Value, CallFailure? Failure)> WithRetriesAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await call(), null);
            }
            catch (CallFailedException e) when (e.Transient && attempt < MaxAttempts)
            {
                // Full jitter: a random wait up to an exponentially growing ceiling, so retries spread out.
                await Task.Delay(Random.Shared.Next(0, (int)Math.Min(5000, 50 * Math.Pow(2, attempt))));
            }
            catch (CallFailedException e)
            {
                return (default, new CallFailure(e.Code, e.Message));
            }
        }
    }
}

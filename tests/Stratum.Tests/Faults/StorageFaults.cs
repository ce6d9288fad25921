using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Stratum.Storage;

namespace Stratum.Tests.Faults;

/// <summary>
/// Which grain state calls fail, chosen by a test: a write that fails as a storage outage would,
/// or one that meets another writer's change first (an ETag conflict). The pattern of the Orleans
/// repository's error-injection storage, written for our grains.
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<GrainId, int> _failures = new();
    private readonly ConcurrentDictionary<string, int> _failuresByState = new();
    private readonly ConcurrentDictionary<GrainId, Func<object, object>> _conflicts = new();
    private readonly ConcurrentDictionary<GrainId, int> _clearFailures = new();
    private readonly ConcurrentDictionary<GrainId, int> _reads = new();

    /// <summary>How many times the grain's state has been read from storage (on activation, or again after a conflict).</summary>
    public int ReadsOf(GrainId grain) => _reads.GetValueOrDefault(grain);

    internal void CountRead(GrainId grain) => _reads.AddOrUpdate(grain, 1, (_, n) => n + 1);

    /// <summary>The next <paramref name="count"/> writes (or clears) of the grain's state fail.</summary>
    public void FailWrites(GrainId grain, int count = 1) => _failures[grain] = count;

    /// <summary>The grain's next <paramref name="count"/> clears (a resource removed for good) fail; its writes do not.</summary>
    public void FailClears(GrainId grain, int count = 1) => _clearFailures[grain] = count;

    /// <summary>The next <paramref name="count"/> writes of any grain's state named <paramref name="stateName"/> fail (for grains whose id a test cannot know beforehand).</summary>
    public void FailWrites(string stateName, int count = 1) => _failuresByState[stateName] = count;

    /// <summary>Before the grain's next write, another writer stores <paramref name="otherWriter"/>'s change to the stored state.</summary>
    public void ConflictOnNextWrite<T>(GrainId grain, Action<T> otherWriter) where T : class =>
        _conflicts[grain] = stored =>
        {
            otherWriter((T)stored);
            return stored;
        };

    private int _transactionCountdown;

    /// <summary>
    /// A table transaction (an Azure Table batch, as deployment shards reserve names and commit)
    /// fails as a storage outage would: the next one, or the one after <paramref name="passing"/> others.
    /// </summary>
    public void FailNextTableTransaction(int passing = 0) => Interlocked.Exchange(ref _transactionCountdown, passing + 1);

    private readonly ConcurrentDictionary<string, TimeSpan> _slowDeletes = new(StringComparer.Ordinal);

    /// <summary>
    /// Every delete of a table row with this row key (a resource name's row, say) waits <paramref name="delay"/>
    /// before it is sent, as a slow storage would: what is answered before the delete is done shows. Row keys
    /// are names unique to a test, so parallel tests are not slowed.
    /// </summary>
    public void SlowDeletesOfRow(string rowKey, TimeSpan delay) => _slowDeletes[rowKey] = delay;

    /// <summary>The policy behind every storage client of the silo, through which <see cref="FailNextTableTransaction"/> and <see cref="SlowDeletesOfRow"/> act.</summary>
    internal Azure.Core.Pipeline.HttpPipelinePolicy RequestPolicy => new TransactionFaults(this);

    private sealed class TransactionFaults(StorageFaults faults) : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) && Interlocked.Decrement(ref faults._transactionCountdown) == 0)
            {
                throw new Azure.RequestFailedException(503, "Injected table transaction failure.");
            }
            if (message.Request.Method == Azure.Core.RequestMethod.Delete && !faults._slowDeletes.IsEmpty)
            {
                var path = Uri.UnescapeDataString(message.Request.Uri.Path);
                if (faults._slowDeletes.FirstOrDefault(d => path.Contains($"RowKey='{d.Key}'", StringComparison.Ordinal)) is { Key: not null } slow)
                {
                    await Task.Delay(slow.Value);
                }
            }
            await ProcessNextAsync(message, pipeline);
        }
    }

    internal bool TakeFailure(string stateName, GrainId grain) => Take(_failures, grain) || Take(_failuresByState, stateName);

    internal bool TakeClearFailure(GrainId grain) => Take(_clearFailures, grain);

    private static bool Take<TKey>(ConcurrentDictionary<TKey, int> counts, TKey key) where TKey : notnull
    {
        while (counts.TryGetValue(key, out var left) && left > 0)
        {
            if (counts.TryUpdate(key, left - 1, left))
            {
                return true;
            }
        }
        return false;
    }

    internal Func<object, object>? TakeConflict(GrainId grain) => _conflicts.TryRemove(grain, out var change) ? change : null;
}

/// <summary>A grain storage that asks <see cref="StorageFaults"/> before each write whether to fail it or to let another writer in first.</summary>
internal sealed class FaultInjectingGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    /// <summary>Every Stratum state provider as memory storage behind this decorator, and memory reminders.</summary>
    public static void AddTo(ISiloBuilder silo, StorageFaults faults)
    {
        foreach (var name in StorageNames.Table.Concat(StorageNames.Blob))
        {
            silo.AddMemoryGrainStorage("inner-" + name);
            silo.Services.AddGrainStorage(name, (services, key) =>
            {
                var storage = new FaultInjectingGrainStorage(services.GetRequiredKeyedService<IGrainStorage>("inner-" + key), faults);
                // As the silo's own storage does (StratumSiloExtensions): a new image's activation reads nothing.
                return key == StorageNames.Images ? new NewRecordStorage(storage) : (IGrainStorage)storage;
            });
        }
        silo.UseInMemoryReminderService();
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.CountRead(grainId);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await BeforeWriteAsync(stateName, grainId, grainState);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (faults.TakeClearFailure(grainId))
        {
            throw new Azure.RequestFailedException(503, "Injected storage failure.");
        }
        await BeforeWriteAsync(stateName, grainId, grainState);
        await inner.ClearStateAsync(stateName, grainId, grainState);
    }

    private async Task BeforeWriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (faults.TakeFailure(stateName, grainId))
        {
            throw new Azure.RequestFailedException(503, "Injected storage failure.");
        }
        if (faults.TakeConflict(grainId) is { } otherWriter)
        {
            // Another writer reads what is stored, changes it and stores it: the grain's ETag is now stale.
            var other = new GrainState<T>();
            await inner.ReadStateAsync(stateName, grainId, other);
            other.State = (T)otherWriter(other.State!);
            await inner.WriteStateAsync(stateName, grainId, other);
        }
    }
}

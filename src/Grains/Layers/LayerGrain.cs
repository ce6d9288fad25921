using Stratum.Deployment;
using Stratum.Images;
using Stratum.Storage;

namespace Stratum.Layers;

[GenerateSerializer, Alias("Stratum.LayerState")]
public sealed class LayerState
{
    [Id(0)] public string Status { get; set; } = LayerGrain.Absent;
    [Id(1)] public long Size { get; set; }
    [Id(2)] public string Checksum { get; set; } = "";
    [Id(3)] public List<string> ImageHolders { get; set; } = [];

    /// <summary>The deployment shards that ever referenced the layer; each counts its own references.</summary>
    [Id(4)] public List<string> Shards { get; set; } = [];
}

/// <summary>
/// A base layer. It is freed only when no image holds it and every shard that ever referenced it
/// reports zero after being drained (no reference in flight, none allowed to start), so the data
/// of a disk is never removed under it. Reentrant so that a shard waiting on <c>Pin</c> cannot
/// deadlock with a free draining that shard; every write goes through one coalesced writer.
/// </summary>
[Reentrant]
public sealed class LayerGrain(
    [PersistentState("layer", StorageNames.Layers)] IPersistentState<LayerState> state,
    ImageData data,
    Changes.ChangePublisher changes,
    IGrainFactory grains) : Grain, ILayerGrain, IRemindable
{
    public const string Absent = "ABSENT", Ready = "READY", Freeing = "FREEING", Freed = "FREED";
    private const string FreeReminder = "free";

    private CoalescedWriter? _writer;
    private Task? _freeing;

    private string Id => this.GetPrimaryKeyString();
    private Task WriteAsync() => (_writer ??= new CoalescedWriter(() => state.WriteStateAsync())).WriteAsync();

    async Task ILayerGrain.HoldForImageAsync(string imageId, string sourceBlob, long size, string checksum)
    {
        if (_freeing is not null)
        {
            await _freeing;
        }
        if (state.State.Status is Absent or Freed)
        {
            // The layer keeps its own copy: its images may be deleted while disks still use it.
            await data.CopyAsync(sourceBlob, Id, size);
            state.State.Size = size;
            state.State.Checksum = checksum;
            state.State.Status = Ready;
        }
        if (!state.State.ImageHolders.Contains(imageId))
        {
            state.State.ImageHolders.Add(imageId);
        }
        await WriteAsync();
    }

    async Task ILayerGrain.ReleaseImageAsync(string imageId)
    {
        if (state.State.ImageHolders.Remove(imageId))
        {
            await WriteAsync();
        }
        await TryFreeAsync();
    }

    async Task ILayerGrain.PinAsync(string shardKey)
    {
        if (state.State.Status != Ready)
        {
            throw StratumException.Precondition($"Layer '{Id}' is {state.State.Status.ToLowerInvariant()}: the image it belonged to was deleted.");
        }
        if (!state.State.Shards.Contains(shardKey))
        {
            state.State.Shards.Add(shardKey);
            await WriteAsync();
        }
    }

    Task ILayerGrain.CheckFreeAsync() => TryFreeAsync();

    async Task<Layer?> ILayerGrain.GetAsync()
    {
        if (state.State.Status == Absent)
        {
            return null;
        }
        var counts = await Task.WhenAll(state.State.Shards.Select(async shard =>
            (await grains.GetGrain<IDeploymentShardGrain>(shard).GetCountersAsync()).Layers.GetValueOrDefault(Id)));
        return new Layer(Id, state.State.Size, state.State.Checksum, state.State.Status,
            state.State.ImageHolders.Count + counts.Sum(), state.State.ImageHolders.ToList());
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await TryFreeAsync();
        if (state.State.Status is Ready or Freed && await this.GetReminder(FreeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private Task TryFreeAsync()
    {
        if (_freeing is null && state.State.ImageHolders.Count == 0 && state.State.Status is Ready or Freeing)
        {
            _freeing = FreeAsync().ContinueWith(t => { _freeing = null; return t; }, TaskScheduler.Current).Unwrap();
        }
        return _freeing ?? Task.CompletedTask;
    }

    private async Task FreeAsync()
    {
        state.State.Status = Freeing;
        await WriteAsync();
        // A reminder finishes the job if this silo dies midway.
        await this.RegisterOrUpdateReminder(FreeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var counts = await Task.WhenAll(state.State.Shards.Select(shard => grains.GetGrain<IDeploymentShardGrain>(shard).DrainLayerAsync(Id)));
        if (counts.Sum() > 0 || state.State.ImageHolders.Count > 0)
        {
            state.State.Status = Ready;
        }
        else
        {
            await data.DeleteAsync(Id);
            state.State.Status = Freed;
            state.State.Shards.Clear();
        }
        await WriteAsync();
        if (state.State.Status == Freed)
        {
            await changes.PublishAsync(Changes.ChangeEvent.Of(Changes.ChangeKind.LayerFreed, resourceId: Id));
        }
    }
}

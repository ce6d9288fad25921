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
/// deadlock with a free draining that shard; its state changes one at a time, each on what the
/// one before stored.
/// </summary>
[Reentrant]
public sealed class LayerGrain(
    [PersistentState("layer", StorageNames.Layers)] IPersistentState<LayerState> record,
    Orleans.Serialization.DeepCopier<LayerState> copier,
    ImageData data,
    Changes.ChangePublisher changes,
    IGrainFactory grains) : Grain, ILayerGrain, IRemindable
{
    public const string Absent = "ABSENT", Ready = "READY", Freeing = "FREEING", Freed = "FREED";
    private const string FreeReminder = "free";

    private readonly StoredState<LayerState> _state = new(record, copier);
    private GroupedChanges<LayerState>? _pins;

    /// <summary>Pins, which share writes of the state (the grain is reentrant).</summary>
    private GroupedChanges<LayerState> Pins => _pins ??= new(_state);
    private Task? _freeing;

    private string Id => this.GetPrimaryKeyString();
    private LayerState Current => _state.Value;

    async Task ILayerGrain.HoldForImageAsync(string imageId, string sourceBlob, long size, string checksum)
    {
        if (_freeing is not null)
        {
            await _freeing;
        }
        if (Current.Status is Absent or Freed)
        {
            // The layer keeps its own copy: its images may be deleted while disks still use it.
            await data.CopyAsync(sourceBlob, Id, size);
        }
        await _state.ChangeAsync(s =>
        {
            if (s.Status is Absent or Freed)
            {
                (s.Size, s.Checksum, s.Status) = (size, checksum, Ready);
            }
            if (s.ImageHolders.Contains(imageId))
            {
                return s.Status != Current.Status;
            }
            s.ImageHolders.Add(imageId);
            return true;
        });
    }

    async Task ILayerGrain.ReleaseImageAsync(string imageId)
    {
        await _state.ChangeAsync(s => s.ImageHolders.Remove(imageId));
        await TryFreeAsync();
    }

    async Task ILayerGrain.PinAsync(string shardKey)
    {
        // Pins asked for meanwhile (every shard of a folder at its first deployment from this layer) share a write.
        await Pins.ChangeAsync(s =>
        {
            if (s.Status != Ready)
            {
                throw StratumException.Precondition($"Layer '{Id}' is {s.Status.ToLowerInvariant()}: the image it belonged to was deleted.");
            }
            if (s.Shards.Contains(shardKey))
            {
                return false;
            }
            s.Shards.Add(shardKey);
            return true;
        });
    }

    Task ILayerGrain.CheckFreeAsync() => TryFreeAsync();

    async Task<LayerHolders?> ILayerGrain.GetHoldersAsync()
    {
        if (Current.Status == Absent)
        {
            return null;
        }
        var counts = await Task.WhenAll(Current.Shards.Select(async shard =>
            (Folder: Placement.ParseShardKey(shard).FolderId, References: (await grains.GetGrain<IDeploymentShardGrain>(shard).GetCountersAsync()).Layers.GetValueOrDefault(Id))));
        var layer = new Layer(Id, Current.Size, Current.Checksum, Current.Status,
            Current.ImageHolders.Count + counts.Sum(c => c.References), Current.ImageHolders.ToList());
        return new LayerHolders(layer, counts.Where(c => c.References > 0).GroupBy(c => c.Folder).ToDictionary(g => g.Key, g => g.Sum(c => c.References)));
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await TryFreeAsync();
        if (Current.Status is Ready or Freed && await this.GetReminder(FreeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private Task TryFreeAsync()
    {
        if (_freeing is null && Current.ImageHolders.Count == 0 && Current.Status is Ready or Freeing)
        {
            _freeing = FreeAsync().ContinueWith(t => { _freeing = null; return t; }, TaskScheduler.Current).Unwrap();
        }
        return _freeing ?? Task.CompletedTask;
    }

    private async Task FreeAsync()
    {
        await _state.ChangeAsync(s =>
        {
            s.Status = Freeing;
            return true;
        });
        // A reminder finishes the job if this silo dies midway.
        await this.RegisterOrUpdateReminder(FreeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var counts = await Task.WhenAll(Current.Shards.Select(shard => grains.GetGrain<IDeploymentShardGrain>(shard).DrainLayerAsync(Id)));
        var free = counts.Sum() == 0 && Current.ImageHolders.Count == 0;
        if (free)
        {
            await data.DeleteAsync(Id);
        }
        // No image can hold it meanwhile: HoldForImage waits for a free in progress.
        await _state.ChangeAsync(s =>
        {
            s.Status = free ? Freed : Ready;
            if (free)
            {
                s.Shards.Clear();
            }
            return true;
        });
        if (free)
        {
            await changes.PublishAsync(Changes.ChangeEvent.Of(Changes.ChangeKind.LayerFreed, resourceId: Id));
        }
    }
}

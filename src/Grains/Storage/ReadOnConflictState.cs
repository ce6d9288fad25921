using Orleans.Storage;

namespace Stratum.Storage;

/// <summary>
/// A grain's persistent state that is not read when the grain activates, for a grain whose records are
/// nearly all new and whose every decision is made in <see cref="StoredState{T}.ChangeAsync"/> (an
/// idempotency key's claim): its first write is create-only (no ETag), so where a record exists that
/// write fails with <see cref="InconsistentStateException"/>, and <see cref="StoredState{T}"/> reads the
/// record then and decides again on what was stored. A new record costs one storage request instead of two
/// (the read that finds nothing, then the write). Stored under the same name as <c>[PersistentState]</c>
/// stores it, so records written either way are the same records.
/// </summary>
public sealed class ReadOnConflictState<T>(IGrainStorage storage, string stateName, GrainId grainId) : IPersistentState<T> where T : class, new()
{
    private readonly GrainState<T> _record = new(new T());

    public T State
    {
        get => _record.State ??= new T();
        set => _record.State = value;
    }

    public string? Etag => _record.ETag;

    /// <summary>Whether a record is known to be stored: false until one was read or written.</summary>
    public bool RecordExists => _record.RecordExists;

    public Task ReadStateAsync() => storage.ReadStateAsync(stateName, grainId, _record);

    public Task WriteStateAsync() => storage.WriteStateAsync(stateName, grainId, _record);

    public Task ClearStateAsync() => storage.ClearStateAsync(stateName, grainId, _record);
}

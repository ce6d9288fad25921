using Orleans.Serialization;
using Orleans.Storage;

namespace Stratum.Storage;

/// <summary>
/// A grain's persistent state that changes only together with a successful write: a change is
/// made on a copy, which becomes the state once it is stored. A failed write leaves the last
/// stored state in place, so a grain never serves what was not stored (and calls that interleave
/// with a write see the stored state, not the one being written). On an ETag conflict (another
/// writer stored first) the state is read again and the change made again on what was read, so
/// it is decided afresh, never written blindly over the other. Changes run one at a time, so a
/// reentrant grain's interleaved callers each change what the one before them stored.
/// </summary>
public sealed class StoredState<T>(IPersistentState<T> state, DeepCopier<T> copier) where T : class
{
    private const int Attempts = 3;
    private readonly SemaphoreSlim _changing = new(1, 1);
    private T? _stored;

    /// <summary>The state as last stored (or read).</summary>
    public T Value => _stored ??= state.State;

    /// <summary>Whether storage holds a record for the grain.</summary>
    public bool Exists => state.RecordExists;

    /// <summary>
    /// Makes <paramref name="change"/> on a copy of the state and stores it. The change may throw
    /// to refuse, or return false when there is nothing to store. Returns whether a write happened.
    /// </summary>
    public async Task<bool> ChangeAsync(Func<T, bool> change)
    {
        await _changing.WaitAsync();
        try
        {
            return await ChangeOnceAsync(change);
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task<bool> ChangeOnceAsync(Func<T, bool> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = Value;
            var next = copier.Copy(stored);
            if (!change(next))
            {
                return false;
            }
            state.State = next;
            try
            {
                await state.WriteStateAsync();
                _stored = next;
                return true;
            }
            catch (InconsistentStateException) when (attempt < Attempts)
            {
                await ReloadAsync();
            }
            catch (InconsistentStateException)
            {
                state.State = stored;
                throw new StratumException(ErrorCode.Aborted, "The resource kept changing while this change was stored; retry.");
            }
            catch (Exception e) when (e is not StratumException)
            {
                state.State = stored;
                throw NotStored();
            }
        }
    }

    /// <summary>
    /// Removes the record; on failure the state stays as stored. On an ETag conflict the record is
    /// read again and removed if <paramref name="stillWanted"/> (when given) says the stored record
    /// should still go; if it says not, the clear is refused (code 10) and the state is as read.
    /// </summary>
    public async Task ClearAsync(Func<T, bool>? stillWanted = null)
    {
        await _changing.WaitAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var stored = Value;
                try
                {
                    await state.ClearStateAsync();
                    _stored = state.State;
                    return;
                }
                catch (InconsistentStateException) when (attempt < Attempts)
                {
                    await ReloadAsync();
                    if (!state.RecordExists)
                    {
                        return;
                    }
                    if (stillWanted is not null && !stillWanted(Value))
                    {
                        throw new StratumException(ErrorCode.Aborted, "The resource changed while it was being removed; it was not removed.");
                    }
                }
                catch (Exception e) when (e is not StratumException)
                {
                    state.State = stored;
                    throw NotStored();
                }
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Storage failed (it logs why): nothing changed, and the caller may retry.</summary>
    private static StratumException NotStored() =>
        new(ErrorCode.Unavailable, "The change could not be stored, so nothing was changed; retry (with the same Idempotency-Key).");

    /// <summary>Reads the stored record again (after another writer's change).</summary>
    public async Task ReloadAsync()
    {
        await state.ReadStateAsync();
        _stored = state.State;
    }
}

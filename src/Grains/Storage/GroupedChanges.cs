namespace Stratum.Storage;

/// <summary>
/// Group commit for a <see cref="StoredState{T}"/> of a grain whose calls interleave: the changes
/// asked for while a write is on its way are stored together in the next write, in the order asked,
/// each decided on the state the ones before it left. When many callers change one grain at once
/// (images created together taking a folder's quota, or every shard of a new folder pinning a layer), they share a few writes
/// instead of taking turns, one write each.
/// </summary>
/// <remarks>
/// A change refuses by throwing a <see cref="StratumException"/> before it alters the state; only
/// its caller sees the refusal. A write that fails fails every change it carried (none was stored).
/// Runs on the grain's scheduler: callers and the flush never run at the same time.
/// </remarks>
public sealed class GroupedChanges<T>(StoredState<T> state) where T : class
{
    private readonly List<Queued> _queued = [];
    private Task _flushing = Task.CompletedTask;

    private sealed record Queued(Func<T, bool> Change)
    {
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Completes when the change is stored (or needed no write), faults with its refusal or the write's failure.</summary>
    public Task ChangeAsync(Func<T, bool> change)
    {
        var queued = new Queued(change);
        _queued.Add(queued);
        if (_flushing.IsCompleted)
        {
            _flushing = FlushAsync();
        }
        return queued.Stored.Task;
    }

    /// <summary>Completes once no change is queued or being stored.</summary>
    public Task IdleAsync() => _flushing;

    private async Task FlushAsync()
    {
        while (_queued.Count > 0)
        {
            var batch = _queued.ToList();
            _queued.Clear();
            var refusals = new StratumException?[batch.Count];
            try
            {
                // Decided again from scratch if the write meets another writer's change.
                await state.ChangeAsync(s => ApplyAll(s, batch, refusals));
            }
            catch (Exception e)
            {
                batch.ForEach(q => q.Stored.TrySetException(e));
                continue;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                _ = refusals[i] is { } refusal ? batch[i].Stored.TrySetException(refusal) : batch[i].Stored.TrySetResult();
            }
        }
    }

    private static bool ApplyAll(T value, List<Queued> batch, StratumException?[] refusals)
    {
        var changed = false;
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                refusals[i] = null;
                changed |= batch[i].Change(value);
            }
            catch (StratumException refusal)
            {
                refusals[i] = refusal;
            }
        }
        return changed;
    }
}

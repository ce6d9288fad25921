using System.Runtime.CompilerServices;
using Orleans.Storage;

namespace Stratum.Storage;

/// <summary>
/// A grain whose record cannot exist yet (an image id minted for the request that is creating it) is
/// activated without reading storage to find nothing: the call that activates it carries a mark naming it
/// (<see cref="CallAsNewAsync{T}"/>), and <see cref="NewRecordStorage"/> skips that activation's read. Its first
/// write is create-only (no ETag), so a record that did exist after all fails it, and StoredState reads it then.
/// The grain removes the mark as its method starts (<see cref="Consume"/>), so that nothing it calls or
/// publishes carries it to a later activation of itself.
/// </summary>
public static class NewRecords
{
    private const string MarkKey = "stratum.new-record";

    /// <summary>Makes the call with <paramref name="grain"/> marked new: if the call activates it, the activation reads nothing.</summary>
    public static async Task<T> CallAsNewAsync<T>(GrainId grain, Func<Task<T>> call)
    {
        RequestContext.Set(MarkKey, grain.ToString());
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(MarkKey);
        }
    }

    /// <summary>Removes the mark from the running call's context, once the grain it named has activated.</summary>
    public static void Consume() => RequestContext.Remove(MarkKey);

    internal static bool IsMarked(GrainId grain) => RequestContext.Get(MarkKey) is string marked && marked == grain.ToString();
}

/// <summary>
/// Grain storage that skips the activation read of a grain marked new (<see cref="NewRecords"/>) and
/// passes everything else to <paramref name="inner"/>. Only the first read of a state is skipped: a read
/// again (after a conflict) goes to storage, marked or not.
/// </summary>
public sealed class NewRecordStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConditionalWeakTable<object, object> _skipped = [];

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        NewRecords.IsMarked(grainId) && _skipped.TryAdd(grainState, grainState)
            ? Task.CompletedTask
            : inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>The inner provider's start-up (creating its table or container) still runs.</summary>
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}

using Orleans.Storage;
using Stratum.Operations;
using Stratum.Storage;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>
/// A claim stored without being read first: a new one costs one write; one stored before (by another
/// activation, or before a restart) fails that create-only write and is decided on what was stored.
/// </summary>
public sealed class ReadOnConflictStateTests
{
    private static readonly GrainId Key = GrainId.Create("idempotency", "k");

    [Fact]
    public async Task A_new_record_is_written_without_a_read()
    {
        var store = new EtagStore();
        var claim = new StoredState<IdempotencyState>(new ReadOnConflictState<IdempotencyState>(store, "claim", Key), Copiers.For<IdempotencyState>());

        var wrote = await claim.ChangeAsync(c => Claim(c, "first"));

        Assert.True(wrote);
        Assert.Equal(["write claim"], store.Requests);
        Assert.Equal("first", store.Stored("claim")!.Fingerprint);
    }

    [Fact]
    public async Task A_record_stored_before_is_read_after_the_create_only_write_fails_and_decided_on()
    {
        var store = new EtagStore();
        await new StoredState<IdempotencyState>(new ReadOnConflictState<IdempotencyState>(store, "claim", Key), Copiers.For<IdempotencyState>())
            .ChangeAsync(c => Claim(c, "first"));
        store.Requests.Clear();
        // Another activation of the same key, which has read nothing.
        var again = new StoredState<IdempotencyState>(new ReadOnConflictState<IdempotencyState>(store, "claim", Key), Copiers.For<IdempotencyState>());
        string? seen = null;

        var wrote = await again.ChangeAsync(c =>
        {
            seen = c.Fingerprint;
            return c.Fingerprint is null && Claim(c, "second");
        });

        Assert.False(wrote);
        Assert.Equal("first", seen);
        Assert.Equal(["write claim (conflict)", "read claim"], store.Requests);
        Assert.Equal("first", store.Stored("claim")!.Fingerprint);
        Assert.Equal("first", again.Value.Fingerprint);
    }

    private static bool Claim(IdempotencyState state, string fingerprint)
    {
        (state.Fingerprint, state.OperationId, state.ResourceId, state.ClaimedAt) = (fingerprint, "opr", "img", DateTimeOffset.UtcNow);
        return true;
    }

    /// <summary>Grain storage as Orleans' providers behave: a write without an ETag creates only, one with a stale ETag fails.</summary>
    private sealed class EtagStore : IGrainStorage
    {
        private readonly Dictionary<string, (IdempotencyState State, string Etag)> _records = [];
        private int _version;

        public List<string> Requests { get; } = [];

        public IdempotencyState? Stored(string name) => _records.TryGetValue(name, out var record) ? record.State : null;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Requests.Add($"read {stateName}");
            if (_records.TryGetValue(stateName, out var record))
            {
                (grainState.State, grainState.ETag, grainState.RecordExists) = ((T)(object)Copiers.For<IdempotencyState>().Copy(record.State), record.Etag, true);
            }
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var current = _records.TryGetValue(stateName, out var record) ? record.Etag : null;
            if (current != grainState.ETag)
            {
                Requests.Add($"write {stateName} (conflict)");
                throw new InconsistentStateException("the stored ETag differs", current, grainState.ETag);
            }
            Requests.Add($"write {stateName}");
            var etag = $"{++_version}";
            _records[stateName] = (Copiers.For<IdempotencyState>().Copy((IdempotencyState)(object)grainState.State!), etag);
            (grainState.ETag, grainState.RecordExists) = (etag, true);
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
    }
}

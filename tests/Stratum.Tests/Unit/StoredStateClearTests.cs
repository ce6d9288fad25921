using Orleans.Serialization;
using Orleans.Storage;
using Stratum.Images;
using Stratum.Storage;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>
/// Removing a record that another writer changed meanwhile (a stale ETag): read again, then removed
/// if the stored record should still go, refused if not; the grain never keeps serving a stale copy.
/// </summary>
public sealed class StoredStateClearTests
{
    private static readonly DeepCopier<ImageState> Copier = Copiers.For<ImageState>();

    [Fact]
    public async Task A_clear_meeting_another_writer_reads_again_and_clears_when_still_wanted()
    {
        var store = new ConflictingStore(Deleting());
        var state = new StoredState<ImageState>(store, Copier);

        await state.ClearAsync(s => s.Image?.Status == ImageStatus.Deleting);

        Assert.False(store.RecordExists);
        Assert.Equal((1, 2), (store.Reads, store.Clears));
    }

    [Fact]
    public async Task A_clear_whose_record_another_writer_changed_back_is_refused_and_keeps_the_stored_record()
    {
        var store = new ConflictingStore(Deleting(), otherWriter: s => s.Image = s.Image! with { Status = ImageStatus.Ready });
        var state = new StoredState<ImageState>(store, Copier);

        var refusal = await Assert.ThrowsAsync<StratumException>(() => state.ClearAsync(s => s.Image?.Status == ImageStatus.Deleting));

        Assert.Equal(ErrorCode.Aborted, refusal.Code);
        Assert.True(store.RecordExists);
        Assert.Equal(ImageStatus.Ready, state.Value.Image!.Status);
    }

    private static ImageState Deleting() => new()
    {
        Image = new Image("imgaaaaaaaaaaaaaaaaa", "fldaaaaaaaaaaaaaaaaa", DateTimeOffset.UnixEpoch, null, "", new Dictionary<string, string>(), null, 0, 0, [],
            ImageStatus.Deleting, new OsInfo(OsType.Linux), false, null, null, null, Deprecation.Active, null),
    };

    /// <summary>A stored record whose first clear meets another writer's change (its ETag is stale).</summary>
    private sealed class ConflictingStore(ImageState stored, Action<ImageState>? otherWriter = null) : IPersistentState<ImageState>
    {
        private readonly ImageState _stored = stored;
        private bool _conflicted;

        public int Reads { get; private set; }
        public int Clears { get; private set; }
        public ImageState State { get; set; } = stored;
        public string Etag { get; private set; } = "1";
        public bool RecordExists { get; private set; } = true;

        public Task ClearStateAsync()
        {
            Clears++;
            if (!_conflicted)
            {
                _conflicted = true;
                otherWriter?.Invoke(_stored);
                Etag = "stale";
                throw new InconsistentStateException("another writer stored first");
            }
            RecordExists = false;
            State = new ImageState();
            return Task.CompletedTask;
        }

        public Task ReadStateAsync()
        {
            Reads++;
            State = _stored;
            Etag = "2";
            return Task.CompletedTask;
        }

        public Task WriteStateAsync() => throw new NotSupportedException();

        public Task WriteStateAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReadStateAsync(CancellationToken cancellationToken) => ReadStateAsync();

        public Task ClearStateAsync(CancellationToken cancellationToken) => ClearStateAsync();
    }
}

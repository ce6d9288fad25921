using Stratum.Changes;
using Stratum.Index;

namespace Stratum.Families;

/// <summary>
/// Holds one family's members. Members join when their image is READY and leave when it is
/// deleted, so every member is usable; latest is the ACTIVE member with the highest sequence.
/// </summary>
public sealed class FamilyGrain(
    [PersistentState("family", StorageNames.Families)] IPersistentState<FamilyState> state,
    ResourceIndex index,
    ChangePublisher changes) : Grain, IFamilyGrain
{
    /// <summary>How many changes of latest a family remembers for watchers that resume.</summary>
    public const int HistoryLength = 256;

    private (string FolderId, string Name) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    async Task<long> IFamilyGrain.JoinAsync(string imageId, DeprecationState deprecation)
    {
        if (state.State.Members.Find(m => m.ImageId == imageId) is { } existing)
        {
            return existing.Sequence;
        }
        var member = new FamilyMember(imageId, state.State.NextSequence++, deprecation);
        state.State.Members.Add(member);
        await SaveAsync();
        return member.Sequence;
    }

    async Task IFamilyGrain.SetDeprecationAsync(string imageId, DeprecationState deprecation)
    {
        var index = state.State.Members.FindIndex(m => m.ImageId == imageId);
        if (index >= 0 && state.State.Members[index].Deprecation != deprecation)
        {
            state.State.Members[index] = state.State.Members[index] with { Deprecation = deprecation };
            await SaveAsync();
        }
    }

    async Task IFamilyGrain.LeaveAsync(string imageId)
    {
        if (state.State.Members.RemoveAll(m => m.ImageId == imageId) > 0)
        {
            await SaveAsync();
        }
    }

    Task<IReadOnlyList<string>> IFamilyGrain.GetActiveAsync(int limit) =>
        Task.FromResult<IReadOnlyList<string>>(Active().Take(limit).Select(m => m.ImageId).ToList());

    Task<FamilyHistory> IFamilyGrain.GetHistoryAsync(long? afterRevision)
    {
        var revision = state.State.Revision;
        var history = state.State.History;
        // Every change after the given revision is known when the history reaches back to the one right after it.
        var complete = afterRevision is { } after && after <= revision
            && (after == revision || (history.Count > 0 && history[0].Revision <= after + 1));
        return Task.FromResult(new FamilyHistory(revision, complete ? history.Where(h => h.Revision > afterRevision).ToList() : null));
    }

    private IEnumerable<FamilyMember> Active() => state.State.Members
        .Where(m => m.Deprecation == DeprecationState.Active)
        .OrderByDescending(m => m.Sequence);

    private async Task SaveAsync()
    {
        var latest = Active().FirstOrDefault();
        var changed = latest?.ImageId != state.State.LatestImageId;
        if (changed)
        {
            state.State.History.Add(new FamilyLatest(state.State.Revision + 1, latest?.ImageId, latest?.Sequence));
            if (state.State.History.Count > HistoryLength)
            {
                state.State.History.RemoveRange(0, state.State.History.Count - HistoryLength);
            }
        }
        await state.WriteStateAsync();
        var (folderId, name) = Key;
        if (state.State.Members.Count == 0)
        {
            await index.DeleteFamilyAsync(folderId, name);
        }
        else
        {
            await index.UpsertFamilyAsync(new FamilySummary(name, folderId, latest?.ImageId, state.State.Members.Count));
        }
        if (changed)
        {
            await changes.PublishAsync(ChangeEvent.Of(ChangeKind.FamilyLatestChanged, folderId, latest?.ImageId, name, latest?.Sequence, state.State.Revision));
        }
    }
}

using Stratum.Changes;
using Stratum.Index;

namespace Stratum.Families;

/// <summary>
/// Holds one family's members. Members join when their image is READY and leave when it is
/// deleted (or moved to the recycle bin), so every member is usable. A member is latest for the
/// cohort buckets below its rollout percent; for each bucket the newest such ACTIVE member wins.
/// Every change of who is latest for any cohort, and every rollout change, is a revision in the history.
/// </summary>
public sealed class FamilyGrain(
    [PersistentState("family", StorageNames.Families)] IPersistentState<FamilyState> record,
    Orleans.Serialization.DeepCopier<FamilyState> copier,
    ResourceIndex index,
    ChangePublisher changes) : Grain, IFamilyGrain
{
    private readonly Storage.StoredState<FamilyState> _state = new(record, copier);

    private FamilyState Stored => _state.Value;

    /// <summary>How many changes of latest a family remembers for watchers that resume.</summary>
    public const int HistoryLength = 256;

    /// <summary>How many members rolling out a ladder holds above its 100 % member; older rollouts reach no one in practice.</summary>
    public const int MaxRungs = 32;

    private (string FolderId, string Name) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    async Task<long> IFamilyGrain.JoinAsync(string imageId, DeprecationState deprecation, int percent)
    {
        long sequence = 0;
        await SaveAsync(next =>
        {
            if (next.Members.Find(m => m.ImageId == imageId) is { } existing)
            {
                sequence = existing.Sequence;
                return false;
            }
            var member = new FamilyMember(imageId, next.NextSequence++, deprecation, percent);
            next.Members.Add(member);
            sequence = member.Sequence;
            return true;
        }, rolloutChanged: false);
        return sequence;
    }

    Task IFamilyGrain.RejoinAsync(string imageId, long sequence, DeprecationState deprecation, int percent) => SaveAsync(next =>
    {
        next.Members.RemoveAll(m => m.ImageId == imageId);
        next.Members.Add(new FamilyMember(imageId, sequence, deprecation, percent));
        next.NextSequence = Math.Max(next.NextSequence, sequence + 1);
        return true;
    }, rolloutChanged: false);

    Task IFamilyGrain.SetDeprecationAsync(string imageId, DeprecationState deprecation) =>
        ChangeMemberAsync(imageId, m => m.Deprecation == deprecation ? m : m with { Deprecation = deprecation }, rolloutChanged: false);

    Task IFamilyGrain.SetRolloutAsync(string imageId, int percent) =>
        ChangeMemberAsync(imageId, m => m.RolloutPercent == percent ? m : m with { Percent = percent }, rolloutChanged: true);

    Task IFamilyGrain.LeaveAsync(string imageId) =>
        SaveAsync(next => next.Members.RemoveAll(m => m.ImageId == imageId) > 0, rolloutChanged: false);

    Task<IReadOnlyList<IReadOnlyList<string>>> IFamilyGrain.GetCandidatesAsync(IReadOnlyList<int> buckets, int limit)
    {
        var active = Active(Stored).ToList();
        return Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(buckets
            .Select(b => (IReadOnlyList<string>)active.Where(m => Cohorts.Includes(m.RolloutPercent, b)).Take(limit).Select(m => m.ImageId).ToList())
            .ToList());
    }

    Task<FamilyHistory> IFamilyGrain.GetHistoryAsync(long? afterRevision)
    {
        var revision = Stored.Revision;
        var history = Stored.History;
        // Every change after the given revision is known when the history reaches back to the one right after it.
        var complete = afterRevision is { } after && after <= revision
            && (after == revision || (history.Count > 0 && history[0].Revision <= after + 1));
        if (!complete)
        {
            return Task.FromResult(new FamilyHistory(revision, null));
        }
        var baseline = afterRevision == 0 ? new FamilyLatest(0, null, null, []) : history.LastOrDefault(h => h.Revision <= afterRevision);
        return Task.FromResult(new FamilyHistory(revision, history.Where(h => h.Revision > afterRevision).ToList(), baseline));
    }

    private Task ChangeMemberAsync(string imageId, Func<FamilyMember, FamilyMember> change, bool rolloutChanged) => SaveAsync(next =>
    {
        var index = next.Members.FindIndex(m => m.ImageId == imageId);
        if (index < 0 || change(next.Members[index]) is var changed && changed == next.Members[index])
        {
            return false;
        }
        next.Members[index] = changed;
        return true;
    }, rolloutChanged, member => member.Deprecation == DeprecationState.Active, imageId);

    private static IEnumerable<FamilyMember> Active(FamilyState family) => family.Members
        .Where(m => m.Deprecation == DeprecationState.Active)
        .OrderByDescending(m => m.Sequence);

    /// <summary>The ACTIVE members rolling out, newest first, down to and including the newest one at 100 %.</summary>
    private static List<FamilyRung> Ladder(FamilyState family)
    {
        var rungs = new List<FamilyRung>();
        foreach (var member in Active(family))
        {
            if (member.RolloutPercent >= 100)
            {
                rungs.Add(new FamilyRung(member.ImageId, member.Sequence, 100));
                break;
            }
            if (member.RolloutPercent > 0 && rungs.Count < MaxRungs)
            {
                rungs.Add(new FamilyRung(member.ImageId, member.Sequence, member.RolloutPercent));
            }
        }
        return rungs;
    }

    /// <summary>
    /// Makes <paramref name="change"/> on a copy of the family and stores it (decided again on the
    /// stored family after a conflict), adding a history entry when the ladder changed or a
    /// rollout of an ACTIVE member did; then the index and the feed follow.
    /// </summary>
    private async Task SaveAsync(Func<FamilyState, bool> change, bool rolloutChanged, Func<FamilyMember, bool>? rolloutCounts = null, string? member = null)
    {
        var revised = false;
        var wrote = await _state.ChangeAsync(next =>
        {
            if (!change(next))
            {
                return false;
            }
            var ladder = Ladder(next);
            var full = ladder.Count > 0 && ladder[^1].Percent >= 100 ? ladder[^1] : null;
            var previous = next.History.Count > 0 ? next.History[^1].Rungs : [];
            var rollout = rolloutChanged && (rolloutCounts is null || next.Members.Find(m => m.ImageId == member) is { } changedMember && rolloutCounts(changedMember));
            revised = rollout || !ladder.SequenceEqual(previous);
            if (revised)
            {
                next.History.Add(new FamilyLatest(next.Revision + 1, full?.ImageId, full?.Sequence, ladder));
                if (next.History.Count > HistoryLength)
                {
                    next.History.RemoveRange(0, next.History.Count - HistoryLength);
                }
            }
            return true;
        });
        if (!wrote)
        {
            return;
        }
        var stored = Stored;
        var latest = Ladder(stored) is { Count: > 0 } rungs && rungs[^1].Percent >= 100 ? rungs[^1] : null;
        var (folderId, name) = Key;
        if (stored.Members.Count == 0)
        {
            await index.DeleteFamilyAsync(folderId, name);
        }
        else
        {
            var rollouts = Active(stored).TakeWhile(m => m.ImageId != latest?.ImageId).Where(m => m.RolloutPercent < 100)
                .Take(MaxRungs).Select(m => new FamilyRollout(m.ImageId, m.RolloutPercent)).ToList();
            await index.UpsertFamilyAsync(new FamilySummary(name, folderId, latest?.ImageId, stored.Members.Count, rollouts));
        }
        if (revised)
        {
            await changes.PublishAsync(ChangeEvent.Of(ChangeKind.FamilyLatestChanged, folderId, latest?.ImageId, name, latest?.Sequence, stored.Revision));
        }
    }
}

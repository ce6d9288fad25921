using Stratum.Index;

namespace Stratum.Families;

/// <summary>
/// Holds one family's members. Members join when their image is READY and leave when it is
/// deleted, so every member is usable; latest is the ACTIVE member with the highest sequence.
/// </summary>
public sealed class FamilyGrain(
    [PersistentState("family", StorageNames.Families)] IPersistentState<FamilyState> state,
    ResourceIndex index) : Grain, IFamilyGrain
{
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

    private IEnumerable<FamilyMember> Active() => state.State.Members
        .Where(m => m.Deprecation == DeprecationState.Active)
        .OrderByDescending(m => m.Sequence);

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        var (folderId, name) = Key;
        if (state.State.Members.Count == 0)
        {
            await index.DeleteFamilyAsync(folderId, name);
        }
        else
        {
            await index.UpsertFamilyAsync(new FamilySummary(name, folderId, Active().FirstOrDefault()?.ImageId, state.State.Members.Count));
        }
    }
}

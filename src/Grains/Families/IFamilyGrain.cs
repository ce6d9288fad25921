namespace Stratum.Families;

/// <summary>
/// A family of images in one folder, keyed <c>{folderId}/{family}</c>. It orders its members by
/// the sequence it assigns when an image joins (not a clock), and knows which is latest.
/// </summary>
[Alias("Stratum.IFamilyGrain")]
public interface IFamilyGrain : IGrainWithStringKey
{
    /// <summary>Adds a READY image and returns its sequence (the same one when it is already a member).</summary>
    [Alias("Join")] Task<long> JoinAsync(string imageId, DeprecationState deprecation);

    /// <summary>Records a member's new deprecation state.</summary>
    [Alias("SetDeprecation")] Task SetDeprecationAsync(string imageId, DeprecationState deprecation);

    /// <summary>Removes a member; the previous ACTIVE one becomes latest.</summary>
    [Alias("Leave")] Task LeaveAsync(string imageId);

    /// <summary>ACTIVE members, newest first (at most <paramref name="limit"/>).</summary>
    [Alias("GetActive"), ReadOnly] Task<IReadOnlyList<string>> GetActiveAsync(int limit);

    /// <summary>
    /// The family's revision and the latest changes after <paramref name="afterRevision"/>; null
    /// changes when they are not all remembered (or no revision was given).
    /// </summary>
    [Alias("GetHistory"), ReadOnly] Task<FamilyHistory> GetHistoryAsync(long? afterRevision);

    public static string Key(string folderId, string family) => $"{folderId}/{family}";
}

[GenerateSerializer, Alias("Stratum.FamilyMember")]
public sealed record FamilyMember(
    [property: Id(0)] string ImageId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DeprecationState Deprecation);

[GenerateSerializer, Alias("Stratum.FamilyState")]
public sealed class FamilyState
{
    [Id(0)] public List<FamilyMember> Members { get; set; } = [];
    [Id(1)] public long NextSequence { get; set; } = 1;

    /// <summary>The last changes of latest, oldest first, so a watcher that was away briefly misses none.</summary>
    [Id(3)] public List<FamilyLatest> History { get; set; } = [];

    /// <summary>Counts changes of latest (watchers resume from it): the newest change's number, 0 before any.</summary>
    public long Revision => History.Count > 0 ? History[^1].Revision : 0;

    /// <summary>The latest image as of the newest change.</summary>
    public string? LatestImageId => History.Count > 0 ? History[^1].ImageId : null;
}

/// <summary>The family's latest at one revision: an image id and its familySequence, or none.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyLatest")]
public sealed record FamilyLatest(
    [property: Id(0)] long Revision,
    [property: Id(1)] string? ImageId,
    [property: Id(2)] long? FamilySequence);

/// <summary>The family's current revision and, when all are remembered, the changes a watcher asked for.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyHistory")]
public sealed record FamilyHistory(
    [property: Id(0)] long Revision,
    [property: Id(1)] IReadOnlyList<FamilyLatest>? Changes);

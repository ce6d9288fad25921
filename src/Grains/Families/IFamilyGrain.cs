namespace Stratum.Families;

/// <summary>
/// A family of images in one folder, keyed <c>{folderId}/{family}</c>. It orders its members by
/// the sequence it assigns when an image joins (not a clock), knows how far each has rolled out,
/// and so which member is latest for each cohort bucket.
/// </summary>
[Alias("Stratum.IFamilyGrain")]
public interface IFamilyGrain : IGrainWithStringKey
{
    /// <summary>Adds a READY image and returns its sequence (the same one when it is already a member).</summary>
    [Alias("Join")] Task<long> JoinAsync(string imageId, DeprecationState deprecation, int percent);

    /// <summary>Records a member's new deprecation state.</summary>
    [Alias("SetDeprecation")] Task SetDeprecationAsync(string imageId, DeprecationState deprecation);

    /// <summary>Records a member's new rollout percent; the history records the change.</summary>
    [Alias("SetRollout")] Task SetRolloutAsync(string imageId, int percent);

    /// <summary>Removes a member; the previous ACTIVE one becomes latest.</summary>
    [Alias("Leave")] Task LeaveAsync(string imageId);

    /// <summary>Brings a member back (from the recycle bin) at the sequence it had.</summary>
    [Alias("Rejoin")] Task RejoinAsync(string imageId, long sequence, DeprecationState deprecation, int percent);

    /// <summary>
    /// For each cohort bucket, the ACTIVE members whose rollout covers it, newest first (at most
    /// <paramref name="limit"/> each), in the order of <paramref name="buckets"/>.
    /// </summary>
    [Alias("GetCandidates"), ReadOnly] Task<IReadOnlyList<IReadOnlyList<string>>> GetCandidatesAsync(IReadOnlyList<int> buckets, int limit);

    /// <summary>
    /// The family's revision and the latest changes after <paramref name="afterRevision"/>, with
    /// the change at that revision as a baseline when it is still remembered; null changes when they
    /// are not all remembered (or no revision was given).
    /// </summary>
    [Alias("GetHistory"), ReadOnly] Task<FamilyHistory> GetHistoryAsync(long? afterRevision);

    static string Key(string folderId, string family) => $"{folderId}/{family}";
}

[GenerateSerializer, Alias("Stratum.FamilyMember")]
public sealed record FamilyMember(
    [property: Id(0)] string ImageId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DeprecationState Deprecation,
    [property: Id(10)] int? Percent = null)
{
    /// <summary>Members from before staged rollout have no percent: they are at 100.</summary>
    public int RolloutPercent => Percent ?? 100;
}

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

/// <summary>
/// The family's latest at one revision: the member latest for every cohort (100 %), and the ladder
/// of who is latest for which cohort: the ACTIVE members rolling out (newest first), down to and
/// including that 100 % member. A bucket's latest is the first rung whose percent exceeds it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyLatest")]
public sealed record FamilyLatest(
    [property: Id(0)] long Revision,
    [property: Id(1)] string? ImageId,
    [property: Id(2)] long? FamilySequence,
    [property: Id(10)] IReadOnlyList<FamilyRung>? Ladder = null)
{
    /// <summary>The ladder; entries written before staged rollout have only their 100 % latest.</summary>
    public IReadOnlyList<FamilyRung> Rungs => Ladder ?? (ImageId is null ? [] : [new FamilyRung(ImageId, FamilySequence ?? 0, 100)]);

    /// <summary>Who was latest for a cohort bucket at this revision (before readability is considered).</summary>
    public string? LatestFor(int bucket) => Rungs.FirstOrDefault(r => Cohorts.Includes(r.Percent, bucket))?.ImageId;
}

/// <summary>One member on a family's ladder of rollouts.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyRung")]
public sealed record FamilyRung(
    [property: Id(0)] string ImageId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] int Percent);

/// <summary>The family's current revision and, when all are remembered, the changes a watcher asked for.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyHistory")]
public sealed record FamilyHistory(
    [property: Id(0)] long Revision,
    [property: Id(1)] IReadOnlyList<FamilyLatest>? Changes,
    [property: Id(10)] FamilyLatest? Baseline = null);

namespace Stratum;

/// <summary>
/// What a family watcher receives: changes of the family's latest image, each numbered by the
/// family's revision (the Server-Sent Events id), so a watcher resumes after the last one it saw.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyChanges")]
public sealed record FamilyChanges(
    [property: Id(0)] long Revision,
    [property: Id(1)] IReadOnlyList<FamilyChange> Changes,
    [property: Id(2)] bool Complete);

/// <summary>
/// The family's latest at one revision, as the caller sees it: the image, or null when the family
/// has no READY, ACTIVE member the caller may read.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.FamilyChange")]
public sealed record FamilyChange(
    [property: Id(0)] long Revision,
    [property: Id(1)] Image? Image);

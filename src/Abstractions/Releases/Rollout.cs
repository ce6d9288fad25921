namespace Stratum;

/// <summary>
/// How far an image has rolled out in its family: it is latest for the cohorts whose bucket
/// (0-99, see <see cref="Cohorts"/>) is below <see cref="Percent"/>, unless a newer member is for them.
/// 100 is everyone (the default), 0 a candidate that is latest for nobody. <see cref="Steps"/> are
/// changes still scheduled, earliest first.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.Rollout")]
public sealed record Rollout(
    [property: Id(0)] int Percent,
    [property: Id(1)] IReadOnlyList<RolloutStep>? Steps = null)
{
    /// <summary>Everyone, nothing scheduled: every image before staged rollout, and the default.</summary>
    public static readonly Rollout Full = new(100);

    /// <summary>The percent of an image that may predate rollouts (null is 100).</summary>
    public static int PercentOf(Image image) => image.Rollout?.Percent ?? 100;
}

/// <summary>A scheduled rollout change: the percent the image takes at that time.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.RolloutStep")]
public sealed record RolloutStep(
    [property: Id(0)] int Percent,
    [property: Id(1)] DateTimeOffset At);

/// <summary>
/// The body of <c>:rollout</c>, and the <c>rollout</c> of an image create. It replaces the plan:
/// <see cref="Percent"/> (if given) applies now, and <see cref="Steps"/> (if given, else none) are
/// what remains scheduled; so <c>{percent: 0}</c> stops a rollout, steps and all. Without a
/// percent the current one is kept (0 on a create, which then waits for its first step).
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.RolloutRequest")]
public sealed record RolloutRequest(
    [property: Id(0)] int? Percent = null,
    [property: Id(1)] IReadOnlyList<RolloutStep>? Steps = null);

/// <summary>A scheduled change that came due but could not be made (e.g. a deleteAt refused by deletion protection).</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ScheduleFailure")]
public sealed record ScheduleFailure(
    [property: Id(0)] string Schedule,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] ErrorInfo Error);

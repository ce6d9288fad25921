
namespace Stratum.Releases;

/// <summary>The contract's rules for rollouts, schedules, deletion protection and recycle bins.</summary>
public static class ReleaseRules
{
    public const int MaxSteps = 16;

    /// <summary>A create's rollout: a percent for an image that joins a family; steps come later with :rollout.</summary>
    public static void ValidateCreate(CreateImageRequest request)
    {
        if (request.Rollout is not { } rollout)
        {
            return;
        }
        if (request.Family is null)
        {
            throw StratumException.Invalid("rollout needs a family: it says for how many of the family's cohorts the image is latest.");
        }
        if (rollout.Steps is { Count: > 0 })
        {
            throw StratumException.Invalid("rollout.steps cannot be given on create; schedule them with POST /compute/v1/images/{id}:rollout once the image exists.");
        }
        // A rollout without a percent had made a candidate at 0 %, latest for nobody, where a caller who gives none
        // most likely meant the default.
        if (rollout.Percent is null)
        {
            throw StratumException.Invalid("rollout.percent is required: the share (0-100) of the family's cohorts the image is latest for; leave rollout out for 100.");
        }
        Percent(rollout.Percent, "rollout.percent");
    }

    /// <summary>A :rollout body: a percent and/or steps, each percent 0-100, steps in the future at distinct times.</summary>
    public static IReadOnlyList<RolloutStep>? Validate(RolloutRequest request, DateTimeOffset now)
    {
        if (request is null || (request.Percent is null && request.Steps is null))
        {
            throw StratumException.Invalid("Give percent (applied now), steps (scheduled), or both.");
        }
        Percent(request.Percent, "percent");
        if (request.Steps is not { } steps)
        {
            return null;
        }
        if (steps.Count > MaxSteps)
        {
            throw StratumException.Invalid($"steps has {steps.Count} entries; at most {MaxSteps} are allowed.");
        }
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is null)
            {
                throw StratumException.Invalid($"steps[{i}] must be an object {{percent, at}}.");
            }
            Percent(steps[i].Percent, $"steps[{i}].percent");
            Future(steps[i].At, $"steps[{i}].at", now);
        }
        if (steps.Select(s => s.At).Distinct().Count() != steps.Count)
        {
            throw StratumException.Invalid("steps must be at distinct times.");
        }
        return steps.Count == 0 ? null : steps.OrderBy(s => s.At).ToList();
    }

    /// <summary>The schedule a :deprecate asks for, merged into the current one; each new time in the future, in order.</summary>
    public static Deprecation Schedule(Deprecation current, DeprecateRequest request, DateTimeOffset now)
    {
        if (request.DeprecateAt is { } deprecateAt)
        {
            Future(deprecateAt, "deprecateAt", now);
        }
        if (request.ObsoleteAt is { } obsoleteAt)
        {
            Future(obsoleteAt, "obsoleteAt", now);
        }
        if (request.DeleteAt is { } deleteAt)
        {
            Future(deleteAt, "deleteAt", now);
        }
        var next = current with
        {
            DeprecateAt = Pick(current.DeprecateAt, request.DeprecateAt, request.Clear.HasFlag(LifecycleTimes.DeprecateAt)),
            ObsoleteAt = Pick(current.ObsoleteAt, request.ObsoleteAt, request.Clear.HasFlag(LifecycleTimes.ObsoleteAt)),
            DeleteAt = Pick(current.DeleteAt, request.DeleteAt, request.Clear.HasFlag(LifecycleTimes.DeleteAt)),
        };
        if (next.DeprecateAt > next.ObsoleteAt || next.DeprecateAt > next.DeleteAt || next.ObsoleteAt > next.DeleteAt)
        {
            throw StratumException.Invalid("The scheduled times must come in order: deprecateAt, then obsoleteAt, then deleteAt " +
                $"(now deprecateAt {Text(next.DeprecateAt)}, obsoleteAt {Text(next.ObsoleteAt)}, deleteAt {Text(next.DeleteAt)}).");
        }
        return next;
    }

    public static void RecycleBin(UpdateFolderRequest request)
    {
        if (request?.RecycleBin is not { } bin)
        {
            throw StratumException.Invalid("Nothing to update: give recycleBin {retentionHours}.");
        }
        if (bin.RetentionHours is < 0 or > Stratum.RecycleBin.MaxRetentionHours)
        {
            throw StratumException.Invalid($"recycleBin.retentionHours {bin.RetentionHours} is out of range: 0 (off) to {Stratum.RecycleBin.MaxRetentionHours}.");
        }
    }

    private static DateTimeOffset? Pick(DateTimeOffset? current, DateTimeOffset? given, bool clear) =>
        given is not null && clear ? throw StratumException.Invalid("A time cannot be both given and cleared.") : clear ? null : given ?? current;

    private static void Percent(int? percent, string field)
    {
        if (percent is < 0 or > 100)
        {
            throw StratumException.Invalid($"{field} {percent} is out of range: 0 (a candidate, latest for no one) to 100 (everyone).");
        }
    }

    private static void Future(DateTimeOffset at, string field, DateTimeOffset now)
    {
        if (at <= now)
        {
            throw StratumException.Invalid($"{field} {Text(at)} is not in the future (now is {Text(now)}).");
        }
    }

    private static string Text(DateTimeOffset? at) => at is { } time ? ContractNames.Time(time) : "unset";
}

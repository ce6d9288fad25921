namespace Stratum.Releases;

/// <summary>What a schedule does to an image when its time comes; pure, so it is tested on its own.</summary>
public static class Scheduling
{
    /// <summary>
    /// The image with every change due at <paramref name="now"/> made (rollout steps; DEPRECATED and
    /// OBSOLETE, never back towards ACTIVE) and those times unscheduled, and the deleteAt that came
    /// due, if one did (the caller deletes, or records why it could not).
    /// </summary>
    public static (Image Image, DateTimeOffset? DeleteDue) ApplyDue(Image image, DateTimeOffset now)
    {
        if (image.Rollout?.Steps is { Count: > 0 } steps && steps[0].At <= now)
        {
            var due = steps.TakeWhile(s => s.At <= now).ToList();
            var rest = steps.Skip(due.Count).ToList();
            image = image with { Rollout = new Rollout(due[^1].Percent, rest.Count > 0 ? rest : null) };
        }
        if (image.Status != ImageStatus.Ready)
        {
            return (image, null);
        }
        var deprecation = image.Deprecation;
        if (deprecation.DeprecateAt <= now)
        {
            deprecation = deprecation with { State = deprecation.State == DeprecationState.Active ? DeprecationState.Deprecated : deprecation.State, DeprecateAt = null };
        }
        if (deprecation.ObsoleteAt <= now)
        {
            deprecation = deprecation with { State = DeprecationState.Obsolete, ObsoleteAt = null };
        }
        DateTimeOffset? deleteDue = null;
        if (deprecation.DeleteAt is { } deleteAt && deleteAt <= now)
        {
            deleteDue = deleteAt;
            deprecation = deprecation with { DeleteAt = null };
        }
        return (image with { Deprecation = deprecation }, deleteDue);
    }
}

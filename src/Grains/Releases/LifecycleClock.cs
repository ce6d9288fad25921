namespace Stratum.Releases;

/// <summary>
/// The clock of scheduled lifecycle changes (deprecateAt, obsoleteAt, deleteAt, rollout steps,
/// recycle-bin purges): the time they are judged by and the timers that fire them while an image
/// is active. A service of its own rather than the container's TimeProvider, so tests can move it
/// without moving the time Orleans itself runs on.
/// </summary>
public sealed class LifecycleClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();
}

/// <summary>Scheduled lifecycle settings (section <c>Stratum:Lifecycle</c>).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Stratum:Lifecycle";

    /// <summary>
    /// The period of the reminder that backs up each image's timer: how late a schedule may fire at
    /// worst after its silo dies. Orleans' own lower bound for reminders applies (a minute by default).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest a timer or reminder is set ahead; beyond it, it wakes and is set again.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);
}

/// <summary>What an image's own timer and the recycle bin ask of it; not part of the public contract.</summary>
[Alias("Stratum.IImageLifecycleGrain")]
public interface IImageLifecycleGrain : IGrainWithStringKey
{
    /// <summary>Makes every scheduled change that is due (a rollout step, a deprecation, a deletion, a purge).</summary>
    [Alias("FireDue")] Task FireDueAsync();

    /// <summary>Finishes a move into or out of the recycle bin that a crash interrupted.</summary>
    [Alias("FinishBinMove"), OneWay] Task FinishBinMoveAsync();
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratum.Changes;
using Stratum.Releases;

namespace Stratum.Images;

/// <summary>
/// Scheduled lifecycle: deprecateAt, obsoleteAt, deleteAt, rollout steps and the recycle bin's
/// purge fire on their own. While the image is active a timer on the lifecycle clock fires them on
/// time; a reminder set for the same moment is the backstop that wakes the image after a restart
/// or the loss of its silo. Firing twice is harmless: each firing makes only what is due.
/// </summary>
public sealed partial class ImageGrain : IImageLifecycleGrain
{
    private const string LifecycleReminder = "lifecycle";

    /// <summary>Who makes the changes a schedule asked for; operations it starts name it.</summary>
    private static readonly Caller Scheduler = new(new Subject("scheduler", SubjectType.System));

    private ITimer? _lifecycleTimer;
    private DateTimeOffset? _reminderDue;
    private LifecycleClock? _clock;

    private LifecycleClock Clock => _clock ??= ServiceProvider.GetRequiredService<LifecycleClock>();

    /// <summary>The next moment something scheduled is due, if any.</summary>
    private static DateTimeOffset? NextDue(Image image) => image.Status switch
    {
        ImageStatus.Deleted => image.PurgeAt,
        ImageStatus.Creating => image.Rollout?.Steps?.FirstOrDefault()?.At,
        ImageStatus.Ready => new[] { image.Deprecation.DeprecateAt, image.Deprecation.ObsoleteAt, image.Deprecation.DeleteAt, image.Rollout?.Steps?.FirstOrDefault()?.At }.Min(),
        _ => null,
    };

    /// <summary>On activation: finish an interrupted bin move, fire what came due while inactive, set the timer for the rest.</summary>
    private void OnActivateLifecycle()
    {
        if (Stored.BinMove is not null)
        {
            _ = this.AsReference<IImageLifecycleGrain>().FinishBinMoveAsync();
        }
        if (Stored.Image is { } image && NextDue(image) is { } due)
        {
            SetTimer(due);
        }
    }

    private async Task OnLifecycleReminderAsync()
    {
        if (Stored.Image is { } image && NextDue(image) is not null)
        {
            // A tick spends the reminder's first moment; after it the reminder would tick every period.
            // Set it again for the next due moment, so an image waiting months is woken once a day, not every minute.
            _reminderDue = null;
            await ((IImageLifecycleGrain)this).FireDueAsync();
            return;
        }
        _reminderDue = null;
        if (await this.GetReminder(LifecycleReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Sets the timer for the next due moment and the reminder behind it (written only when the moment moved).</summary>
    private async Task ArmLifecycleAsync()
    {
        if (Stored.Image is not { } image || NextDue(image) is not { } due)
        {
            _lifecycleTimer?.Dispose();
            _lifecycleTimer = null;
            return;
        }
        var wait = SetTimer(due);
        if (_reminderDue != due)
        {
            var period = ServiceProvider.GetRequiredService<IOptions<LifecycleOptions>>().Value.ReminderPeriod;
            await this.RegisterOrUpdateReminder(LifecycleReminder, wait, period);
            _reminderDue = due;
        }
    }

    private TimeSpan SetTimer(DateTimeOffset due)
    {
        _lifecycleTimer?.Dispose();
        var wait = due - Clock.Now;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LifecycleOptions.MaxWait ? LifecycleOptions.MaxWait : wait;
        var self = grains.GetGrain<IImageLifecycleGrain>(Id);
        // The callback runs off the grain's scheduler; it only sends the grain a message, queued like any call.
        _lifecycleTimer = Clock.Time.CreateTimer(_ => self.FireDueAsync().ContinueWith(
            t => logger.LogWarning(t.Exception, "Image {ImageId} could not fire its schedule; its reminder retries.", Id),
            TaskContinuationOptions.OnlyOnFaulted), null, wait, Timeout.InfiniteTimeSpan);
        return wait;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _lifecycleTimer?.Dispose();
        return Task.CompletedTask;
    }

    async Task IImageLifecycleGrain.FireDueAsync()
    {
        if (Stored.Image is not { } previous)
        {
            return;
        }
        var now = Clock.Now;
        if (previous.Status == ImageStatus.Deleted)
        {
            if (previous.PurgeAt <= now)
            {
                await PurgeAsync();
                return;
            }
        }
        else if (previous.Status is ImageStatus.Ready or ImageStatus.Creating && NextDue(previous) <= now)
        {
            await FireAsync(previous, now);
        }
        await ArmLifecycleAsync();
    }

    /// <summary>Makes what is due: the family first (idempotent), then the image's record, so a crash between them repeats, never loses, the change.</summary>
    private async Task FireAsync(Image previous, DateTimeOffset now)
    {
        var (updated, deleteDue) = Scheduling.ApplyDue(previous, now);
        if (deleteDue is { } due && updated.DeletionProtection)
        {
            updated = updated with
            {
                ScheduleFailure = new ScheduleFailure("deleteAt", due, new ErrorInfo(ErrorCode.FailedPrecondition,
                    $"The deletion scheduled for {ContractNames.Time(due)} did not happen: image '{Id}' has deletionProtection set. Clear it and schedule deleteAt again, or delete the image yourself.")),
            };
        }
        var rolloutChanged = Rollout.PercentOf(updated) != Rollout.PercentOf(previous);
        var deprecationChanged = updated.Deprecation.State != previous.Deprecation.State;
        if (updated.Status == ImageStatus.Ready && updated.Family is { } family)
        {
            if (deprecationChanged)
            {
                await Family(family).SetDeprecationAsync(Id, updated.Deprecation.State);
            }
            if (rolloutChanged)
            {
                await Family(family).SetRolloutAsync(Id, Rollout.PercentOf(updated));
            }
        }
        await CommitAsync(next => next.Image = updated);
        await index.UpsertImageAsync(updated, previous, Stored.Bindings);
        if (updated.Rollout != previous.Rollout)
        {
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageRolloutChanged, updated));
        }
        // A deleteAt that came due is news as the deletion itself, not as a change of deprecation.
        if (updated.Deprecation != previous.Deprecation with { DeleteAt = deleteDue is null ? previous.Deprecation.DeleteAt : null })
        {
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageDeprecated, updated));
        }
        if (updated.ScheduleFailure != previous.ScheduleFailure)
        {
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageUpdated, updated));
        }
        if (deleteDue is { } at && !updated.DeletionProtection)
        {
            await DeleteNowAsync(ResourceIds.New(ResourceIds.Operation), Scheduler, $"Delete image {updated.Name ?? Id} (scheduled for {ContractNames.Time(at)})");
        }
    }

    /// <summary>
    /// Writes the image's next record and only then makes it the grain's state: a failed write
    /// leaves the grain as it was (the change is made on a copy), and a conflict makes it again on
    /// the record as stored. The operations started since the last write ride along.
    /// </summary>
    private async Task CommitAsync(Action<ImageState> change)
    {
        var started = _startedOperations.ToList();
        try
        {
            await _state.ChangeAsync(next =>
            {
                started.ForEach(next.AddOperation);
                if (_importSettled)
                {
                    next.SettleImport = null;
                }
                change(next);
                return true;
            });
        }
        catch (Exception) when (HasUnfinishedWork)
        {
            // A conflict showed what another activation stored (a purge by a silo that then died, say):
            // work it left unfinished is this activation's now, which began before it and will not begin it again.
            ArmUnfinishedRetry();
            throw;
        }
        _startedOperations.RemoveRange(0, started.Count);
        _importSettled = false;
    }

    /// <summary>
    /// A :deprecate's image: the state now (if given) and the merged schedule, judged by the
    /// lifecycle clock; a new or cleared deleteAt also clears the record of one that failed.
    /// </summary>
    private Image Deprecated(Image image, DeprecateRequest request)
    {
        var scheduled = ReleaseRules.Schedule(image.Deprecation, request, Clock.Now);
        var deprecation = request.State is { } now ? scheduled with { State = now, Replacement = request.Replacement } :
            request.Replacement is not null ? scheduled with { Replacement = request.Replacement } : scheduled;
        var deleteTouched = request.DeleteAt is not null || request.Clear.HasFlag(LifecycleTimes.DeleteAt);
        return image with { Deprecation = deprecation, ScheduleFailure = deleteTouched ? null : image.ScheduleFailure };
    }

    /// <summary>After a change that may have moved a schedule: the timer and reminder follow.</summary>
    private async Task<Operation> ArmedAfterAsync(Task<Operation> change)
    {
        var operation = await change;
        await ArmLifecycleAsync();
        return operation;
    }

    /// <summary>The rollout and deletion protection a create asks for.</summary>
    private static Image WithReleaseSettings(Image image, CreateImageRequest request) => image with
    {
        Rollout = request.Rollout?.Percent is { } percent ? new Rollout(percent) : Rollout.Full,
        DeletionProtection = request.DeletionProtection ?? false,
    };
}

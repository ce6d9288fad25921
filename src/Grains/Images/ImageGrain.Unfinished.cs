using Microsoft.Extensions.Logging;

namespace Stratum.Images;

/// <summary>
/// Work the record says is unfinished (a deletion, a move into or out of the recycle bin) is
/// finished by whoever gets there first: the call that started it, the next activation, the
/// reconcile reminder, or, while the grain stays active, a timer that retries every few seconds
/// until it succeeds. Without that timer an image kept active by reads, whose step had failed on a
/// silo that had just died (and whose reminder died with it), stayed DELETING, or listed in the
/// recycle bin after its restore, for good.
/// </summary>
public sealed partial class ImageGrain
{
    /// <summary>How often an active image retries work whose last attempt failed.</summary>
    private static readonly TimeSpan UnfinishedRetryPeriod = TimeSpan.FromSeconds(5);

    private IGrainTimer? _unfinishedRetry;

    private bool HasUnfinishedWork => Stored.Image?.Status == ImageStatus.Deleting || Stored.BinMove is not null;

    /// <summary>Finishes the deletion the record says is under way: the reconcile reminder first, which finishes it should this grain or its silo die.</summary>
    private Task<bool> TryFinishDeletionAsync() => TryFinishAsync("deletion", async () =>
    {
        await this.RegisterOrUpdateReminder(ReconcileReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await FinishDeletionAsync();
    });

    /// <summary>Finishes a move into or out of the recycle bin that the record says is under way.</summary>
    private Task<bool> TryFinishBinMoveAsync() => TryFinishAsync("recycle-bin move", FinishBinMoveAsync);

    /// <summary>
    /// Runs <paramref name="finish"/>; if it fails while the work is still unfinished, the failure is
    /// logged, the retry timer armed, and the reconcile reminder set (best effort) for after this
    /// activation. Returns whether it finished now. Failures of a decision (the record changed
    /// meanwhile, so nothing is unfinished) are the caller's.
    /// </summary>
    private async Task<bool> TryFinishAsync(string work, Func<Task> finish)
    {
        try
        {
            await finish();
            return true;
        }
        catch (Exception e) when (HasUnfinishedWork)
        {
            logger.LogWarning(e, "Image {ImageId}: finishing its {Work} failed; retrying every {Period}.", Id, work, UnfinishedRetryPeriod);
            ArmUnfinishedRetry();
            try
            {
                await this.RegisterOrUpdateReminder(ReconcileReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            }
            catch (Exception reminderFailure)
            {
                logger.LogDebug(reminderFailure, "Image {ImageId}: could not set its reconcile reminder; the retry timer finishes the work while the grain is active.", Id);
            }
            return false;
        }
    }

    /// <summary>Has the timer finish what the record says is unfinished, if it is not on it already.</summary>
    private void ArmUnfinishedRetry() =>
        _unfinishedRetry ??= this.RegisterGrainTimer(RetryUnfinishedAsync,
            new GrainTimerCreationOptions(UnfinishedRetryPeriod, UnfinishedRetryPeriod) { KeepAlive = true });

    /// <summary>Finishes whatever the record says is unfinished; what finishes nothing now is tried again by the timer.</summary>
    private async Task FinishUnfinishedAsync()
    {
        if (Stored.Image?.Status == ImageStatus.Deleting)
        {
            await TryFinishDeletionAsync();
        }
        else if (Stored.BinMove is not null)
        {
            await TryFinishBinMoveAsync();
        }
    }

    private async Task RetryUnfinishedAsync(CancellationToken cancellation)
    {
        await FinishUnfinishedAsync();
        if (!HasUnfinishedWork)
        {
            _unfinishedRetry?.Dispose();
            _unfinishedRetry = null;
        }
    }
}

using Stratum.Access;
using Stratum.Changes;
using Stratum.Folders;
using Stratum.Operations;
using Stratum.Releases;

namespace Stratum.Images;

/// <summary>
/// The recycle bin: a deleted image of a folder that keeps one is DELETED, not gone. It leaves its
/// family, the lists and every latest, but keeps its name, quota, data and layer until it is
/// restored (with its id and family position) or its retention ends and it is purged. The grain
/// takes one call at a time, so a restore and a purge never overlap: whichever comes first wins,
/// and the other finds the image in a state it refuses.
/// </summary>
public sealed partial class ImageGrain
{
    private const string IntoBin = "in", OutOfBin = "out";

    Task<Operation> IImageGrain.RestoreAsync(Caller caller, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"images.restore:{Id}", Id, Id, async (opId, _) =>
        {
            Authorizer.Demand(await GrantedAsync(caller), Permission.Edit, "image", Id, "restore");
            var previous = Current;
            if (previous.Status != ImageStatus.Deleted)
            {
                throw StratumException.Precondition(previous.Status == ImageStatus.Deleting
                    ? $"Image '{Id}' is being deleted for good (purged from the recycle bin) and can no longer be restored."
                    : $"Image '{Id}' is {ContractNames.Of(previous.Status)}; only an image in the recycle bin (DELETED) can be restored.");
            }
            var op = await StartOperationAsync(opId, caller, $"Restore image {previous.Name ?? Id}", "restore");
            var restored = previous with { Status = ImageStatus.Ready, DeletedAt = null, PurgeAt = null };
            await CommitAsync(next =>
            {
                // Decided again on the record as stored if another writer (a purge) got there first.
                if (next.Image?.Status != ImageStatus.Deleted)
                {
                    throw StratumException.Precondition($"Image '{Id}' left the recycle bin while it was being restored; it can no longer be restored.");
                }
                next.Image = restored;
                next.BinMove = OutOfBin;
            });
            // Restored once stored: should the family or the lists not follow now, they follow on a retry.
            await TryFinishBinMoveAsync();
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageRestored, restored));
            // Schedules that came due while it was in the bin fire now.
            await ((IImageLifecycleGrain)this).FireDueAsync();
            return await grains.GetGrain<IOperationInternalGrain>(op.Id).CompleteAsync(Current);
        });

    /// <summary>Moves a READY image into the bin for <paramref name="hours"/>; a pending deleteAt is spent.</summary>
    private async Task<Operation> MoveToBinAsync(string opId, Caller caller, string description, int hours)
    {
        var op = await StartOperationAsync(opId, caller, description, "delete");
        _transfer?.Cancel();
        var now = Clock.Now;
        var binned = Current with
        {
            Status = ImageStatus.Deleted,
            DeletedAt = now,
            PurgeAt = now.AddHours(hours),
            Deprecation = Current.Deprecation with { DeleteAt = null },
        };
        await CommitAsync(next =>
        {
            next.Image = binned;
            next.BinMove = IntoBin;
        });
        await TryFinishBinMoveAsync();
        await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageDeleted, binned));
        await ArmLifecycleAsync();
        return await grains.GetGrain<IOperationInternalGrain>(op.Id).CompleteAsync(EmptyResponse.Instance);
    }

    Task IImageLifecycleGrain.FinishBinMoveAsync() => TryFinishBinMoveAsync();

    /// <summary>
    /// The steps after the record says DELETED (or READY again): the family and the index follow.
    /// Each is idempotent, and the record keeps saying a move is unfinished until they are done,
    /// so a crash between them is finished on the next activation.
    /// </summary>
    private async Task FinishBinMoveAsync()
    {
        if (Stored is not { BinMove: { } move, Image: { } image })
        {
            return;
        }
        if (move == IntoBin)
        {
            if (image.Family is { } family)
            {
                await Family(family).LeaveAsync(Id);
            }
            await index.MoveToRecycleBinAsync(image, Stored.Bindings);
        }
        else
        {
            if (image.Family is { } family && image.FamilySequence is { } sequence)
            {
                await Family(family).RejoinAsync(Id, sequence, image.Deprecation.State, Rollout.PercentOf(image));
            }
            await index.RestoreFromRecycleBinAsync(image, Stored.Bindings);
        }
        await CommitAsync(next => next.BinMove = null);
    }

    /// <summary>The retention ended: the image is deleted for good, as a DELETE without a bin would have done.</summary>
    private async Task PurgeAsync()
    {
        var binned = Current;
        await CommitAsync(next =>
        {
            // Decided again on the record as stored if another writer (a restore) got there first.
            if (next.Image?.Status != ImageStatus.Deleted)
            {
                throw StratumException.Precondition($"Image '{Id}' left the recycle bin before its purge; nothing is purged.");
            }
            next.Image = binned with { Status = ImageStatus.Deleting };
        });
        await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImagePurged, binned));
        await TryFinishDeletionAsync();
    }

    /// <summary>What deleting would refuse: a protected image, or one already in the bin.</summary>
    private void RefuseDeletion()
    {
        var image = Current;
        if (image.DeletionProtection)
        {
            throw StratumException.Precondition($"Image '{Id}' has deletionProtection set; clear it (PATCH deletionProtection: false) before deleting the image.");
        }
        if (image.Status == ImageStatus.Deleted)
        {
            throw StratumException.Precondition($"Image '{Id}' is already in the recycle bin{(image.PurgeAt is { } purge ? $" until {ContractNames.Time(purge)}" : "")}; restore it with :restore.");
        }
    }

    private Task<int> RecycleBinHoursAsync() => grains.GetGrain<IFolderInternalGrain>(Current.FolderId).GetRecycleBinHoursAsync();
}

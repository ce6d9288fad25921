using Stratum.Access;
using Stratum.Folders;
using Stratum.Operations;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    Task<Operation> IImageGrain.DeleteAsync(Caller caller, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"images.delete:{Id}", Id, Id, async (opId, _) =>
        {
            Authorizer.Demand(await GrantedAsync(caller), Permission.Edit, "image", Id, "delete");
            if (Current.Status == ImageStatus.Deleting)
            {
                return Stored.DeleteOperationId is { } deleting && await grains.GetGrain<IOperationInternalGrain>(deleting).TryGetAsync() is { } first
                    ? first
                    : throw StratumException.Precondition($"Image '{Id}' is already being deleted.");
            }
            return await DeleteNowAsync(opId, caller, $"Delete image {Current.Name ?? Id}");
        });

    /// <summary>
    /// Deletes the image, for a caller or a schedule: refused while it is protected; into the
    /// recycle bin when its folder keeps one (a READY image), else for good.
    /// </summary>
    private async Task<Operation> DeleteNowAsync(string opId, Caller caller, string description)
    {
        RefuseDeletion();
        if (Current.Status == ImageStatus.Ready && await RecycleBinHoursAsync() is > 0 and var hours)
        {
            return await MoveToBinAsync(opId, caller, description, hours);
        }
        var op = await StartOperationAsync(opId, caller, description, "delete");
        _transfer?.Cancel();
        var deleting = Current with { Status = ImageStatus.Deleting };
        await CommitAsync(next =>
        {
            if (next.Image?.Status == ImageStatus.Creating && next.SourceBlob is null)
            {
                // An import in flight gives back all it reserved; its transfer can reserve no more.
                next.SettleImport = 0;
            }
            next.DeleteOperationId = opId;
            next.Image = deleting;
        });
        await changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageDeleted, Current));
        // The deletion is decided and stored: a step that fails now is retried, so the caller gets the
        // operation (done, or still running until a retry ends it) rather than an error.
        await TryFinishDeletionAsync();
        return await grains.GetGrain<IOperationInternalGrain>(op.Id).TryGetAsync() ?? op;
    }

    /// <summary>
    /// The steps after an image is marked DELETING. Each is idempotent, so a deletion interrupted
    /// by a crash is finished by repeating them all.
    /// </summary>
    private async Task FinishDeletionAsync()
    {
        var image = Current;
        await SettleImportAsync();
        if (image.Family is { } family)
        {
            await Family(family).LeaveAsync(Id);
        }
        await index.DeleteImageAsync(image);
        if (image.DeletedAt is not null)
        {
            await index.RemoveFromRecycleBinAsync(image);
        }
        if (image.Name is { } name)
        {
            await index.ReleaseNameAsync(image.FolderId, NameKind, name, Id);
        }
        await data.DeleteAsync(Id);
        if (image.LayerId is { } layerId)
        {
            // The layer lives on while disks use it; it frees itself when nothing does.
            await grains.GetGrain<Layers.ILayerGrain>(layerId).ReleaseImageAsync(Id);
        }
        var release = new List<QuotaDelta> { new(QuotaNames.ImagesCount, -1), new(QuotaNames.ImagesSize, -Stored.HeldSize) };
        if (image.Pooled)
        {
            release.Add(new QuotaDelta(QuotaNames.DiskPoolsCount, -1));
        }
        await grains.GetGrain<IFolderInternalGrain>(image.FolderId).ChangeUsageAsync($"{Id}:release", release);
        // A create's operation held in this record moves to its own before the record is cleared.
        await KeepHeldOperationAsync();
        if (Stored.CreateOperationId is { } createOp)
        {
            // A creation still running when its image was deleted ends here, not silently never.
            await grains.GetGrain<IOperationInternalGrain>(createOp).FailAsync(
                new ErrorInfo(ErrorCode.Aborted, $"Image '{Id}' was deleted before it was ready."));
        }
        if (Stored.DeleteOperationId is { } deleteOp)
        {
            await grains.GetGrain<IOperationInternalGrain>(deleteOp).CompleteAsync(EmptyResponse.Instance);
        }
        // Another activation (a silo that was thought dead) may have written meanwhile: cleared still, if that record says DELETING too.
        await _state.ClearAsync(stored => stored.Image?.Status == ImageStatus.Deleting);
    }
}

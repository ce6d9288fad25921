using Microsoft.Extensions.Logging;
using Stratum.Access;
using Stratum.Folders;
using Stratum.Operations;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    private const string ReconcileReminder = "reconcile";

    private CancellationTokenSource? _transfer;

    async Task<Operation> IImageInternalGrain.CreateAsync(Caller caller, CreateImageRequest request, string operationId)
    {
        if (state.State.CreateOperationId is { } existing)
        {
            return existing == operationId
                ? await grains.GetGrain<IOperationInternalGrain>(operationId).TryGetAsync() ?? throw new InvalidOperationException("operation lost")
                : throw new StratumException(ErrorCode.AlreadyExists, $"Image '{Id}' already exists.");
        }

        // Everything that can refuse the request is checked before anything is written.
        ImageRequestRules.Validate(request);
        var folderAccess = await authorizer.OnFolderAsync(caller, request.FolderId);
        Authorizer.Demand(folderAccess, Permission.Edit, "folder", request.FolderId, "create images in");
        var source = await ResolveSourceAsync(caller, request);
        var os = request.Os ?? source?.Image.Os ?? new OsInfo(OsType.Linux);
        var minDiskSize = request.MinDiskSize ?? Math.Max(source?.Image.MinDiskSize ?? 0, Validation.Rules.MinDiskSize);
        if (source is not null)
        {
            ImageRequestRules.MinDiskSizeCovers(minDiskSize, source.Image.MinDiskSize);
        }

        if (request.Name is { } name)
        {
            await index.ReserveNameAsync(request.FolderId, NameKind, name, Id);
        }
        var held = source?.Image.StorageSize ?? 0;
        try
        {
            await Folder(request.FolderId).ChangeUsageAsync($"{Id}:create", CreationQuota(request, held));
        }
        catch (StratumException) when (request.Name is not null)
        {
            await index.ReleaseNameAsync(request.FolderId, NameKind, request.Name, Id);
            throw;
        }

        state.State.Request = request;
        state.State.CreatedBy = caller;
        state.State.CreateOperationId = operationId;
        state.State.HeldSize = held;
        state.State.VirtualSize = source?.VirtualSize ?? 0;
        state.State.Image = new Image(Id, request.FolderId, DateTimeOffset.UtcNow, request.Name, request.Description ?? "",
            request.Labels ?? new Dictionary<string, string>(), request.Family, source?.Image.StorageSize ?? 0, minDiskSize,
            request.ProductIds ?? source?.Image.ProductIds ?? [], ImageStatus.Creating, os, request.Pooled ?? false,
            source?.Image.Format, source?.Image.Checksum, LayerId: null, Deprecation.Active, FamilySequence: null);
        var op = await StartOperationAsync(operationId, caller, $"Create image {request.Name ?? Id}");
        await state.WriteStateAsync();
        await index.UpsertImageAsync(state.State.Image, previous: null);
        await this.RegisterOrUpdateReminder(ReconcileReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTransfer();
        return op;
    }

    Task IImageInternalGrain.CancelCreationAsync(string operationId)
    {
        if (state.State.CreateOperationId == operationId)
        {
            _transfer?.Cancel();
        }
        return Task.CompletedTask;
    }

    async Task IImageInternalGrain.FinishCreationAsync(string operationId, TransferOutcome outcome)
    {
        _transfer = null;
        if (state.State.CreateOperationId != operationId || state.State.Image is not { Status: ImageStatus.Creating } creating)
        {
            return;
        }
        var op = grains.GetGrain<IOperationInternalGrain>(operationId);
        if (outcome.Error is { } error)
        {
            state.State.Image = creating with { Status = ImageStatus.Error };
            await state.WriteStateAsync();
            await index.UpsertImageAsync(state.State.Image, creating);
            await data.DeleteAsync(Id);
            await op.FailAsync(error);
            return;
        }
        if (outcome.SizeReserved)
        {
            state.State.HeldSize += outcome.Bytes;
        }
        state.State.VirtualSize = Math.Max(state.State.VirtualSize, outcome.VirtualSize);
        var ready = creating with
        {
            Status = ImageStatus.Ready,
            StorageSize = outcome.Bytes,
            Format = outcome.Format ?? creating.Format,
            Checksum = outcome.Checksum ?? creating.Checksum,
            MinDiskSize = Math.Max(creating.MinDiskSize, outcome.VirtualSize),
        };
        if (ready.Family is { } family)
        {
            ready = ready with { FamilySequence = await Family(family).JoinAsync(Id, ready.Deprecation.State) };
        }
        state.State.Image = ready;
        await state.WriteStateAsync();
        await index.UpsertImageAsync(ready, creating);
        await op.CompleteAsync(ready);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        switch (state.State.Image?.Status)
        {
            case ImageStatus.Creating:
                StartTransfer();
                break;
            case ImageStatus.Deleting:
                // A one-way call to itself: activation should not wait on other grains.
                _ = this.AsReference<IImageInternalGrain>().ReconcileAsync();
                break;
        }
        return Task.CompletedTask;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Image is { Status: ImageStatus.Creating or ImageStatus.Deleting })
        {
            await ((IImageInternalGrain)this).ReconcileAsync();
            return;
        }
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    Task IImageInternalGrain.ReconcileAsync()
    {
        switch (state.State.Image?.Status)
        {
            case ImageStatus.Creating:
                StartTransfer();
                return Task.CompletedTask;
            case ImageStatus.Deleting:
                return FinishDeletionAsync();
            default:
                return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Moves the data off the grain's scheduler, so reads of this image are served while it runs,
    /// and reports back through a grain call, which Orleans queues like any other request.
    /// </summary>
    private void StartTransfer()
    {
        if (_transfer is not null || state.State is not { Request: { } request, CreateOperationId: { } operationId })
        {
            return;
        }
        var cancellation = _transfer = new CancellationTokenSource();
        var self = this.AsReference<IImageInternalGrain>();
        var imageId = Id;
        var sourceBytes = state.State.Image!.StorageSize;
        DelayDeactivation(TimeSpan.FromHours(1));
        _ = Task.Run(async () =>
        {
            var outcome = await TransferAsync(imageId, request, sourceBytes, cancellation.Token);
            await self.FinishCreationAsync(operationId, outcome);
        });
    }

    private async Task<TransferOutcome> TransferAsync(string imageId, CreateImageRequest request, long sourceBytes, CancellationToken cancellation)
    {
        try
        {
            if (request.ImageId is { } sourceId)
            {
                await data.CopyAsync(sourceId, imageId, cancellation);
                return new TransferOutcome(sourceBytes, null, null, 0, SizeReserved: false);
            }
            var sizeReserved = false;
            var result = await importer.ImportAsync(uriPolicy.Check(request.Uri), await data.BlobAsync(imageId), async size =>
            {
                await Folder(request.FolderId).ChangeUsageAsync($"{imageId}:size", [new QuotaDelta(QuotaNames.ImagesSize, size)]);
                sizeReserved = true;
            }, cancellation);
            if (request.MinDiskSize is { } minDiskSize && minDiskSize < result.VirtualSize)
            {
                return Failed(new StratumException(ErrorCode.InvalidArgument, $"minDiskSize {minDiskSize} is below the image's virtual size of {result.VirtualSize} bytes."), sizeReserved ? result.Bytes : 0);
            }
            if (result.VirtualSize > Validation.Rules.MaxDiskSize)
            {
                return Failed(StratumException.Invalid($"The image's virtual size of {result.VirtualSize} bytes is above the 4 TiB limit."), sizeReserved ? result.Bytes : 0);
            }
            return new TransferOutcome(result.Bytes, result.Checksum, result.Format, result.VirtualSize, sizeReserved);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Failed(new StratumException(ErrorCode.Aborted, "The image creation was cancelled."), 0);
        }
        catch (StratumException e)
        {
            return Failed(e, 0);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Creating image {ImageId} failed", imageId);
            return Failed(new StratumException(ErrorCode.InvalidArgument, $"The image data could not be stored: {e.Message}"), 0);
        }
    }

    private static TransferOutcome Failed(StratumException error, long reservedBytes) =>
        new(reservedBytes, null, null, 0, SizeReserved: reservedBytes > 0, new ErrorInfo(error.Code, error.Message));

    private async Task<ImageSource?> ResolveSourceAsync(Caller caller, CreateImageRequest request)
    {
        if (request.ImageId is { } imageId)
        {
            return await grains.GetGrain<IImageInternalGrain>(imageId).GetSourceAsync(caller);
        }
        if (request.DiskId is { } diskId)
        {
            throw StratumException.NotFound("disk", diskId);
        }
        if (request.SnapshotId is { } snapshotId)
        {
            throw StratumException.NotFound("snapshot", snapshotId);
        }
        uriPolicy.Check(request.Uri);
        return null;
    }

    private static List<QuotaDelta> CreationQuota(CreateImageRequest request, long size)
    {
        var deltas = new List<QuotaDelta> { new(QuotaNames.ImagesCount, 1) };
        if (size > 0)
        {
            deltas.Add(new QuotaDelta(QuotaNames.ImagesSize, size));
        }
        if (request.Pooled == true)
        {
            deltas.Add(new QuotaDelta(QuotaNames.DiskPoolsCount, 1));
        }
        return deltas;
    }

    private IFolderInternalGrain Folder(string folderId) => grains.GetGrain<IFolderInternalGrain>(folderId);
}

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

        // Everything that can refuse the request is checked before anything is written (the
        // catalog, the only caller, has checked the request's own rules before claiming its key).
        var folderAccess = await authorizer.OnFolderAsync(caller, request.FolderId);
        Authorizer.Demand(folderAccess, Permission.Edit, "folder", request.FolderId, "create images in");
        var source = await ResolveSourceAsync(caller, request);
        var os = request.Os ?? source?.Os ?? new OsInfo(OsType.Linux);
        var minDiskSize = request.MinDiskSize ?? Math.Max(source?.MinDiskSize ?? 0, Validation.Rules.MinDiskSize);
        if (source is not null)
        {
            ImageRequestRules.MinDiskSizeCovers(minDiskSize, source.MinDiskSize);
        }

        if (request.Name is { } name)
        {
            await index.ReserveNameAsync(request.FolderId, NameKind, name, Id);
        }
        var held = source?.Bytes ?? 0;
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
        state.State.SourceBlob = source?.Blob;
        state.State.Image = new Image(Id, request.FolderId, DateTimeOffset.UtcNow, request.Name, request.Description ?? "",
            request.Labels ?? new Dictionary<string, string>(), request.Family, source?.Bytes ?? 0, minDiskSize,
            request.ProductIds ?? source?.ProductIds ?? [], ImageStatus.Creating, os, request.Pooled ?? false,
            source?.Format, source?.Checksum, LayerId: null, Deprecation.Active, FamilySequence: null);
        var op = await StartOperationAsync(operationId, caller, $"Create image {request.Name ?? Id}");
        await state.WriteStateAsync();
        await index.UpsertImageAsync(state.State.Image, previous: null, state.State.Bindings);
        await changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageCreated, state.State.Image));
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
            await index.UpsertImageAsync(state.State.Image, creating, state.State.Bindings);
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
        if (ready.Pooled)
        {
            // Optimized for deployment: the data becomes a shared base layer, found by content.
            var layerId = LayerIdOf(ready);
            await grains.GetGrain<Layers.ILayerGrain>(layerId).HoldForImageAsync(Id, Id, ready.StorageSize, ready.Checksum ?? "");
            ready = ready with { LayerId = layerId };
        }
        if (ready.Family is { } family)
        {
            ready = ready with { FamilySequence = await Family(family).JoinAsync(Id, ready.Deprecation.State) };
        }
        state.State.Image = ready;
        await state.WriteStateAsync();
        await index.UpsertImageAsync(ready, creating, state.State.Bindings);
        await changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageReady, ready));
        await op.CompleteAsync(ready);
    }

    /// <summary>The layer of a pooled image: by content; data of unknown checksum (copied from a disk) gets a layer of its own.</summary>
    private static string LayerIdOf(Image image) => Layers.LayerIds.FromChecksum(image.Checksum
        ?? "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image.Id))));

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
        var sourceBlob = state.State.SourceBlob;
        DelayDeactivation(TimeSpan.FromHours(1));
        _ = Task.Run(async () =>
        {
            var outcome = await TransferAsync(imageId, request, sourceBlob, sourceBytes, cancellation.Token);
            await self.FinishCreationAsync(operationId, outcome);
        });
    }

    private async Task<TransferOutcome> TransferAsync(string imageId, CreateImageRequest request, string? sourceBlob, long sourceBytes, CancellationToken cancellation)
    {
        try
        {
            if (sourceBlob is not null)
            {
                await data.CopyAsync(sourceBlob, imageId, sourceBytes, cancellation);
                return new TransferOutcome(sourceBytes, null, null, 0, SizeReserved: false);
            }
            var sizeReserved = false;
            var target = await data.BlobAsync(imageId);
            Func<long, Task> reserveSize = async size =>
            {
                await Folder(request.FolderId).ChangeUsageAsync($"{imageId}:size", [new QuotaDelta(QuotaNames.ImagesSize, size)]);
                sizeReserved = true;
            };
            var result = request.UploadId is { } uploadId
                ? await ImportUploadAsync(imageId, uploadId, target, reserveSize, cancellation)
                : await importer.ImportAsync(uriPolicy.Check(request.Uri), target, reserveSize, cancellation);
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

    /// <summary>Where a new image's data comes from; null for an import, whose facts come from the file.</summary>
    private async Task<SourceFacts?> ResolveSourceAsync(Caller caller, CreateImageRequest request)
    {
        if (request.ImageId is { } imageId)
        {
            var source = await grains.GetGrain<IImageInternalGrain>(imageId).GetSourceAsync(caller);
            var image = source.Image;
            return new SourceFacts(image.Id, image.StorageSize, image.MinDiskSize, source.VirtualSize, image.Os, image.Format, image.Checksum, image.ProductIds);
        }
        if ((request.DiskId ?? request.SnapshotId) is { } id)
        {
            var noun = request.DiskId is null ? "snapshot" : "disk";
            var row = await computeRows.GetAsync(id);
            if (row is null || row.GetString("Kind") != (request.DiskId is null ? Deployment.ComputeRows.SnapshotKind : Deployment.ComputeRows.DiskKind))
            {
                throw StratumException.NotFound(noun, id);
            }
            Authorizer.Demand(await authorizer.OnImageAsync(caller, row.GetString("FolderId"), []), Permission.Use, noun, id, "use");
            if (row.GetString("DataBlob") is not { Length: > 0 } blob)
            {
                throw StratumException.Precondition($"The {noun} '{id}' is empty: there is no data to make an image of.");
            }
            var (size, os) = request.DiskId is null
                ? (Deployment.ComputeRows.Read<Snapshot>(row).DiskSize, Deployment.ComputeRows.Read<Snapshot>(row).Os)
                : (Deployment.ComputeRows.Read<Disk>(row).Size, new OsInfo(Deployment.ShardRows.OsOf(row)));
            return new SourceFacts(blob, row.GetInt64("DataBytes") ?? 0, size, size, os, null, null, []);
        }
        if (request.UploadId is { } uploadId)
        {
            await grains.GetGrain<Uploads.IUploadGrain>(uploadId).CheckAsync(caller, request.FolderId);
            return null;
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

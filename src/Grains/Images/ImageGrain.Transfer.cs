using Microsoft.Extensions.Logging;
using Stratum.Folders;
using Stratum.Import;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    async Task IImageInternalGrain.ReconcileAsync()
    {
        await SettleImportAsync();
        switch (state.State.Image?.Status)
        {
            case ImageStatus.Creating:
                StartTransfer();
                break;
            case ImageStatus.Deleting:
                await FinishDeletionAsync();
                break;
        }
    }

    async Task<long> IImageInternalGrain.ReserveImportSizeAsync(string operationId, long bytes, bool upToLimit)
    {
        if (state.State.CreateOperationId != operationId || state.State.Image is not { Status: ImageStatus.Creating } creating || _transfer is null)
        {
            throw new StratumException(ErrorCode.Aborted, $"The creation of image '{Id}' has ended.");
        }
        return await Folder(creating.FolderId).ReserveImportAsync(Id, bytes, upToLimit);
    }

    /// <summary>Sends the folder the settlement of this image's import reservation, if one is due.</summary>
    private async Task SettleImportAsync()
    {
        if (state.State.SettleImport is not { } keep || (state.State.Image?.FolderId ?? state.State.Request?.FolderId) is not { } folderId)
        {
            return;
        }
        await Folder(folderId).SettleImportAsync(Id, keep);
        // Settling twice changes nothing, so the cleared flag rides the next write instead of costing one.
        state.State.SettleImport = null;
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
        var timings = Timings;
        _ = Task.Run(async () =>
        {
            var started = Diagnostics.StageTimings.Now();
            var outcome = await TransferAsync(imageId, request, operationId, sourceBlob, sourceBytes, self, cancellation.Token);
            timings.Since(Diagnostics.StageTimings.ImageTransfer, started);
            await self.FinishCreationAsync(operationId, outcome);
        });
    }

    private async Task<TransferOutcome> TransferAsync(string imageId, CreateImageRequest request, string operationId, string? sourceBlob, long sourceBytes,
        IImageInternalGrain self, CancellationToken cancellation)
    {
        try
        {
            if (sourceBlob is not null)
            {
                await data.CopyAsync(sourceBlob, imageId, sourceBytes, cancellation);
                return new TransferOutcome(sourceBytes, null, null, 0, Imported: false);
            }
            var result = await importer.ImportAsync(uriSources.For(request.Uri), await data.BlockBlobAsync(imageId),
                new ImportQuota(self, operationId), new ImportRequirements(request.Format, request.MinDiskSize), cancellation);
            return new TransferOutcome(result.Bytes, result.Checksum, result.Format, result.VirtualSize, Imported: true);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Failed(new StratumException(ErrorCode.Aborted, "The image creation was cancelled."));
        }
        catch (StratumException e)
        {
            return Failed(e);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Creating image {ImageId} failed", imageId);
            return Failed(e is Azure.RequestFailedException ? ImportFaults.StoreUnavailable() : ImportFaults.Internal());
        }
    }

    private static TransferOutcome Failed(StratumException error) => new(0, null, null, 0, Imported: false, new ErrorInfo(error.Code, error.Message));

    /// <summary>An import's quota, reserved through this grain so that a transfer that has stopped cannot reserve any more.</summary>
    private sealed class ImportQuota(IImageInternalGrain image, string operationId) : IImportQuota
    {
        public Task<long> ReserveAsync(long total, bool upToLimit) => image.ReserveImportSizeAsync(operationId, total, upToLimit);
    }
}

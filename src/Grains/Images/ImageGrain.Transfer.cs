using Microsoft.Extensions.Logging;
using Stratum.Import;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    async Task IImageInternalGrain.ReconcileAsync()
    {
        await SettleImportAsync();
        if (Stored.Image?.Status == ImageStatus.Creating)
        {
            StartTransfer();
        }
        await FinishUnfinishedAsync();
    }

    async Task<long> IImageInternalGrain.ReserveImportSizeAsync(string operationId, long bytes, bool upToLimit)
    {
        if (Stored.CreateOperationId != operationId || Stored.Image is not { Status: ImageStatus.Creating } creating || _transfer is null)
        {
            throw new StratumException(ErrorCode.Aborted, $"The creation of image '{Id}' has ended.");
        }
        return await Folder(creating.FolderId).ReserveImportAsync(Id, bytes, upToLimit);
    }

    /// <summary>Whether the stored settlement was sent; the record says so at its next write (settling twice changes nothing).</summary>
    private bool _importSettled;

    /// <summary>Sends the folder the settlement of this image's import reservation, if one is due.</summary>
    private async Task SettleImportAsync()
    {
        if (_importSettled || Stored.SettleImport is not { } keep || (Stored.Image?.FolderId ?? Stored.Request?.FolderId) is not { } folderId)
        {
            return;
        }
        await Folder(folderId).SettleImportAsync(Id, keep);
        _importSettled = true;
    }

    /// <summary>
    /// Moves the data off the grain's scheduler, so reads of this image are served while it runs,
    /// and reports back through a grain call, which Orleans queues like any other request.
    /// </summary>
    private void StartTransfer()
    {
        if (_transfer is not null || Stored is not { Request: { } request, CreateOperationId: { } operationId })
        {
            return;
        }
        var cancellation = _transfer = new CancellationTokenSource();
        var self = this.AsReference<IImageInternalGrain>();
        var imageId = Id;
        var sourceBytes = Stored.Image!.StorageSize;
        var sourceBlob = Stored.SourceBlob;
        DelayDeactivation(TimeSpan.FromHours(1));
        var timings = Timings;
        _ = Task.Run(async () =>
        {
            var started = Diagnostics.StageTimings.Now();
            var outcome = await TransferAsync(imageId, request, operationId, sourceBlob, sourceBytes, self, cancellation.Token);
            timings.Since(Diagnostics.StageTimings.ImageTransfer, started);
            await FinishWithRetriesAsync(self, operationId, outcome);
        });
    }

    /// <summary>
    /// Reports the outcome, trying again a few times when storage refuses (the data has moved; only
    /// recording it failed). Past that, the reconcile reminder starts the transfer over.
    /// </summary>
    private static async Task FinishWithRetriesAsync(IImageInternalGrain self, string operationId, TransferOutcome outcome)
    {
        for (var delay = TimeSpan.FromMilliseconds(250); ; delay *= 2)
        {
            try
            {
                await self.FinishCreationAsync(operationId, outcome);
                return;
            }
            catch (StratumException e) when (e.Code is ErrorCode.Unavailable or ErrorCode.Aborted && delay < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(delay);
            }
        }
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
            var (target, quota, requirements) = (await data.BlockBlobAsync(imageId), new ImportQuota(self, operationId), new ImportRequirements(request.Format, request.MinDiskSize));
            var result = request.UploadId is { } uploadId
                ? await ImportUploadAsync(imageId, uploadId, target, quota, requirements, cancellation)
                : await importer.ImportAsync(uriSources.For(request.Uri), target, quota, requirements, cancellation);
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

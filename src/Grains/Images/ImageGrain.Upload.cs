using Azure.Storage.Blobs.Specialized;
using Stratum.Import;
using Stratum.Uploads;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    /// <summary>
    /// Staged uploads through the one import path: claims the upload for this image and hands its
    /// staging blob to the importer as a source, exactly as a fetched URL is, so the same
    /// inspection, quota and deadline rules apply. The staging blob is removed when the import
    /// ends, whichever way.
    /// </summary>
    private async Task<ImportResult> ImportUploadAsync(string imageId, string uploadId, BlockBlobClient target, IImportQuota quota,
        ImportRequirements requirements, CancellationToken cancellation)
    {
        var upload = grains.GetGrain<IUploadGrain>(uploadId);
        await upload.ClaimAsync(imageId);
        try
        {
            return await importer.ImportAsync(staging.Source(uploadId), target, quota, requirements, cancellation);
        }
        finally
        {
            await upload.FinishAsync(imageId);
        }
    }
}

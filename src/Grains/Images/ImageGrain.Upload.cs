using Stratum.Import;
using Stratum.Uploads;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    /// <summary>
    /// The seam between staged uploads and the import path: claims the upload for this image,
    /// opens its staging blob as an <see cref="ImportSource"/> (stream, length, name) and hands it
    /// to the importer exactly as a fetched URL is, so the same inspection and quota rules apply.
    /// The staging blob is removed when the import ends, whichever way.
    /// </summary>
    private async Task<ImportResult> ImportUploadAsync(string imageId, string uploadId, Azure.Storage.Blobs.BlobClient target,
        Func<long, Task> reserveSize, CancellationToken cancellation)
    {
        var upload = grains.GetGrain<IUploadGrain>(uploadId);
        await upload.ClaimAsync(imageId);
        try
        {
            var source = await staging.OpenAsync(uploadId, cancellation)
                ?? throw StratumException.Precondition($"Upload '{uploadId}' holds no data: put its blocks and commit the block list before creating the image.");
            await using (source.Body)
            {
                return await importer.ImportAsync(source, target, reserveSize, cancellation);
            }
        }
        finally
        {
            await upload.FinishAsync(imageId);
        }
    }
}

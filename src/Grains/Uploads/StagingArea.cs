using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;
using Stratum.Import;
using Stratum.Storage;

namespace Stratum.Uploads;

/// <summary>
/// The staging blobs of direct uploads (one per upload id, in a container beside the image data)
/// and the signed URLs of uploads and exports. Signing needs the account key of the silos'
/// connection string; the URLs point at <see cref="UploadOptions.PublicBlobEndpoint"/> when set.
/// </summary>
public sealed class StagingArea
{
    /// <summary>Signed URLs start a little in the past, for clients whose clocks run behind.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly BlobContainerClient _staging;
    private readonly BlobContainerClient _images;
    private readonly UploadOptions _options;
    private readonly Lazy<Task> _created;

    public StagingArea(StorageClients clients, IOptions<StratumStorageOptions> storage, IOptions<UploadOptions> options)
    {
        _images = clients.Blobs.GetBlobContainerClient(storage.Value.ImageContainer);
        _staging = clients.Blobs.GetBlobContainerClient(storage.Value.ImageContainer + "-staging");
        _options = options.Value;
        _created = new Lazy<Task>(() => _staging.CreateIfNotExistsAsync());
    }

    /// <summary>A write-only URL to the upload's staging blob: create and write (put block, put block list), nothing else.</summary>
    public async Task<string> UploadUrlAsync(string uploadId, DateTimeOffset expiresAt)
    {
        await _created.Value;
        return Sign(_staging.GetBlobClient(uploadId), BlobSasPermissions.Create | BlobSasPermissions.Write, expiresAt);
    }

    /// <summary>A read-only URL to an image's data blob.</summary>
    public string ReadUrl(string imageId, DateTimeOffset expiresAt) =>
        Sign(_images.GetBlobClient(imageId), BlobSasPermissions.Read, expiresAt);

    /// <summary>
    /// A staged upload as an import source: its committed bytes, read as a stream that fails if the
    /// blob changes while it is read. Opening one with nothing committed (blocks put but no block
    /// list) is refused with code 9.
    /// </summary>
    public IImportSource Source(string uploadId) => new StagedSource(this, uploadId);

    private sealed class StagedSource(StagingArea area, string uploadId) : IImportSource
    {
        public string Name => $"upload '{uploadId}'";

        public async Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation)
        {
            await area._created.Value;
            try
            {
                var stream = await area._staging.GetBlobClient(uploadId)
                    .OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 << 20 }, cancellation);
                return new ImportBody(stream, stream.Length);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw StratumException.Precondition($"Upload '{uploadId}' holds no data: put its blocks and commit the block list before creating the image.");
            }
        }
    }

    /// <summary>Removes a staging blob, committed or not (blocks put without a block list are discarded too).</summary>
    public async Task DeleteAsync(string uploadId)
    {
        await _created.Value;
        var blob = _staging.GetBlockBlobClient(uploadId);
        if ((await blob.DeleteIfExistsAsync()).Value)
        {
            return;
        }
        // A blob with only uncommitted blocks cannot be deleted as such: commit an empty list
        // (which drops the blocks), then delete that.
        try
        {
            await blob.CommitBlockListAsync([]);
            await blob.DeleteIfExistsAsync();
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409)
        {
            // Nothing there, or written meanwhile; the next sweep looks again.
        }
    }

    /// <summary>Whether anything, committed or only put as blocks, is stored for the upload.</summary>
    public async Task<bool> ExistsAsync(string uploadId)
    {
        await _created.Value;
        await foreach (var item in _staging.GetBlobsAsync(new GetBlobsOptions { Prefix = uploadId, States = BlobStates.Uncommitted }))
        {
            if (item.Name == uploadId)
            {
                return true;
            }
        }
        return false;
    }

    private string Sign(BlobClient blob, BlobSasPermissions permissions, DateTimeOffset expiresAt)
    {
        var sas = new BlobSasBuilder(permissions, expiresAt)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = DateTimeOffset.UtcNow - ClockSkew,
        };
        var uri = blob.GenerateSasUri(sas);
        if (string.IsNullOrEmpty(_options.PublicBlobEndpoint))
        {
            return uri.ToString();
        }
        var endpoint = _options.PublicBlobEndpoint.TrimEnd('/');
        return $"{endpoint}/{Uri.EscapeDataString(blob.BlobContainerName)}/{Uri.EscapeDataString(blob.Name)}{uri.Query}";
    }
}

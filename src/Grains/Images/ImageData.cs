using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Stratum.Storage;

namespace Stratum.Images;

/// <summary>Where image bytes live: one blob per image in the image container.</summary>
public sealed class ImageData
{
    private readonly BlobContainerClient _container;
    private readonly Lazy<Task> _created;

    public ImageData(StorageClients clients, IOptions<StratumStorageOptions> options)
    {
        _container = clients.Blobs.GetBlobContainerClient(options.Value.ImageContainer);
        _created = new Lazy<Task>(() => _container.CreateIfNotExistsAsync());
    }

    public async Task<BlobClient> BlobAsync(string imageId)
    {
        await _created.Value;
        return _container.GetBlobClient(imageId);
    }

    /// <summary>A server-side copy: the bytes do not pass through the silo.</summary>
    public async Task CopyAsync(string sourceImageId, string targetImageId, CancellationToken cancellation)
    {
        var source = await BlobAsync(sourceImageId);
        var target = await BlobAsync(targetImageId);
        var copy = await target.StartCopyFromUriAsync(source.Uri, cancellationToken: cancellation);
        await copy.WaitForCompletionAsync(cancellation);
    }

    public async Task DeleteAsync(string imageId)
    {
        var blob = await BlobAsync(imageId);
        await blob.DeleteIfExistsAsync();
    }

    public async Task<bool> ExistsAsync(string imageId)
    {
        try
        {
            return await (await BlobAsync(imageId)).ExistsAsync();
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }
}

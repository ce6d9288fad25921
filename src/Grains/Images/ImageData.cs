using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using Stratum.Storage;

namespace Stratum.Images;

/// <summary>Where data lives: one blob per image, layer, disk or snapshot (named by its id) in one container.</summary>
public sealed class ImageData
{
    private readonly BlobContainerClient _container;
    private readonly Lazy<Task> _created;

    public ImageData(StorageClients clients, IOptions<StratumStorageOptions> options)
    {
        _container = clients.Blobs.GetBlobContainerClient(options.Value.ImageContainer);
        _created = new Lazy<Task>(() => _container.CreateIfNotExistsAsync());
    }

    public async Task<BlobClient> BlobAsync(string name)
    {
        await _created.Value;
        return _container.GetBlobClient(name);
    }

    /// <summary>The blob of <paramref name="name"/> as blocks, for imports that stage blocks themselves.</summary>
    public async Task<BlockBlobClient> BlockBlobAsync(string name)
    {
        await _created.Value;
        return _container.GetBlockBlobClient(name);
    }

    private long _bytesCopied;

    /// <summary>Bytes this silo asked the store to copy, so pooled and standard sources can be compared.</summary>
    public long BytesCopied => Interlocked.Read(ref _bytesCopied);

    /// <summary>A server-side copy: the bytes do not pass through the silo.</summary>
    public async Task CopyAsync(string source, string target, long bytes, CancellationToken cancellation = default)
    {
        var from = await BlobAsync(source);
        var to = await BlobAsync(target);
        var copy = await to.StartCopyFromUriAsync(from.Uri, cancellationToken: cancellation);
        // A copy the store finished at once (small blobs within one account) says so in its
        // response: asking for its status again would be one more request for nothing.
        if (!(copy.GetRawResponse().Headers.TryGetValue("x-ms-copy-status", out var status) && status == "success"))
        {
            await copy.WaitForCompletionAsync(cancellation);
            // A copy ends "failed" or "aborted" as well as "success", and waiting only says it ended:
            // the target's properties say how (one request, only for a copy that did not end at once).
            var copied = await to.GetPropertiesAsync(cancellationToken: cancellation);
            EnsureCopied(target, copied.Value.CopyStatus, copied.Value.CopyStatusDescription);
        }
        Interlocked.Add(ref _bytesCopied, bytes);
    }

    /// <summary>Throws unless a finished copy into <paramref name="target"/> succeeded, so no image is made of a partial blob.</summary>
    internal static void EnsureCopied(string target, CopyStatus? status, string? description)
    {
        if (status != CopyStatus.Success)
        {
            throw new InvalidOperationException($"The copy into blob '{target}' ended {status?.ToString() ?? "without a status"}: {description ?? "no reason given"}.");
        }
    }

    /// <summary>The blobs made as copies for a disk or snapshot (named "{id}.{attempt}"), with when they were last written.</summary>
    public async IAsyncEnumerable<(string Name, DateTimeOffset LastModified)> CopiesAsync()
    {
        await _created.Value;
        await foreach (var blob in _container.GetBlobsAsync())
        {
            if (blob.Name.Contains('.', StringComparison.Ordinal))
            {
                yield return (blob.Name, blob.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    public async Task DeleteAsync(string name)
    {
        var blob = await BlobAsync(name);
        await blob.DeleteIfExistsAsync();
    }
}

namespace Stratum.Layers;

/// <summary>
/// A base layer, keyed by its id (derived from the content's sha256, so identical content shares
/// one layer). Images hold it by id; disks and snapshots hold it through the deployment shards,
/// each of which counts its own references (the reference set is sharded by deployment shard).
/// </summary>
[Alias("Stratum.ILayerGrain")]
public interface ILayerGrain : IGrainWithStringKey
{
    /// <summary>Adds a pooled image as holder, taking a copy of its data the first time (idempotent per image).</summary>
    [Alias("HoldForImage")] Task HoldForImageAsync(string imageId, string sourceBlob, long size, string checksum);

    /// <summary>Removes an image holder; frees the layer if nothing else holds it.</summary>
    [Alias("ReleaseImage")] Task ReleaseImageAsync(string imageId);

    /// <summary>A shard announces it is about to reference the layer; refused once the layer is being freed.</summary>
    [Alias("Pin")] Task PinAsync(string shardKey);

    /// <summary>A shard's references dropped to zero: free the layer if nothing holds it.</summary>
    [Alias("CheckFree")] Task CheckFreeAsync();

    /// <summary>The layer with its exact reference count and who holds it, or null if it never existed.</summary>
    [Alias("GetHolders")] Task<LayerHolders?> GetHoldersAsync();
}

/// <summary>
/// A layer as a whole (its <see cref="Layer.ReferenceCount"/> and <see cref="Layer.ImageIds"/> count
/// every holder, in every folder) and the references of disks and snapshots per folder, so a caller
/// is shown only the holders it may read: identical content in two tenants' folders is one layer.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.LayerHolders")]
public sealed record LayerHolders([property: Id(0)] Layer Layer, [property: Id(1)] IReadOnlyDictionary<string, long> ReferencesByFolder);

public static class LayerIds
{
    /// <summary>The layer id of some content: "lyr" and 17 characters taken from its sha256.</summary>
    public static string FromChecksum(string checksum)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var hex = checksum.StartsWith("sha256:", StringComparison.Ordinal) ? checksum[7..] : checksum;
        var bytes = Convert.FromHexString(hex);
        return ResourceIds.Layer + new string(bytes.Take(17).Select(b => alphabet[b % alphabet.Length]).ToArray());
    }
}

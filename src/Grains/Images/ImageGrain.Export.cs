using Stratum.Access;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    /// <summary>
    /// A read-only signed URL to the image's data blob: for downloads and for hypervisors that read
    /// images over HTTP (Range requests). Images that carry product ids stay inside the cloud.
    /// </summary>
    async Task<ImageExport> IImageGrain.ExportAsync(Caller caller, ExportRequest request)
    {
        Authorizer.Demand(await GrantedAsync(caller), Permission.Read, "image", Id, "export");
        var lifetime = request?.TtlSeconds is { } seconds
            ? seconds >= 1 && seconds <= uploadOptions.Value.MaxExportLifetime.TotalSeconds
                ? TimeSpan.FromSeconds(seconds)
                : throw StratumException.Invalid($"ttlSeconds must be between 1 and {(long)uploadOptions.Value.MaxExportLifetime.TotalSeconds}.")
            : uploadOptions.Value.DefaultExportLifetime;
        var image = Current;
        if (image.ProductIds.Count > 0)
        {
            throw StratumException.Precondition($"Image '{Id}' carries product ids ({string.Join(", ", image.ProductIds)}) and cannot be exported.");
        }
        if (image.Status != ImageStatus.Ready)
        {
            throw StratumException.Precondition($"Image '{Id}' is {ContractNames.Of(image.Status)}; only a READY image can be exported.");
        }
        var expiresAt = DateTimeOffset.UtcNow + lifetime;
        return new ImageExport(staging.ReadUrl(Id, expiresAt), expiresAt, image.StorageSize, image.Format, image.Checksum);
    }
}

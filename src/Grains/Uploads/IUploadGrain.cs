namespace Stratum.Uploads;

/// <summary>One staged upload, keyed by its id: who may use it, for which folder, until when.</summary>
[Alias("Stratum.IUploadGrain")]
public interface IUploadGrain : IGrainWithStringKey
{
    /// <summary>Records the upload and returns its write-only URL; the caller must be allowed to create images in the folder.</summary>
    [Alias("Prepare")] Task<UploadTarget> PrepareAsync(Caller caller, PrepareUploadRequest request);

    /// <summary>Throws a contract error unless the caller may create an image in <paramref name="folderId"/> from this upload now.</summary>
    [Alias("Check"), AlwaysInterleave] Task CheckAsync(Caller caller, string folderId);

    /// <summary>
    /// Makes the upload the source of one image (idempotent for that image, also after expiry);
    /// refused when it expired unclaimed or another image took it.
    /// </summary>
    [Alias("Claim")] Task ClaimAsync(string imageId);

    /// <summary>The image's import ended (either way): the staging blob goes, the upload cannot be used again.</summary>
    [Alias("Finish")] Task FinishAsync(string imageId);
}

/// <summary>What is kept of an upload until it expires.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.UploadRecord")]
public sealed record UploadRecord(
    [property: Id(0)] string FolderId,
    [property: Id(1)] Subject Owner,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] long? Size,
    [property: Id(4)] string? ImageId = null,
    [property: Id(5)] bool Finished = false);

[GenerateSerializer, Alias("Stratum.UploadState")]
public sealed class UploadState
{
    [Id(0)] public UploadRecord? Upload { get; set; }
}

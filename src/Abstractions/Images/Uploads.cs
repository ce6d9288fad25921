namespace Stratum;

/// <summary>The body of <c>images:prepareUpload</c>: the folder the image will be created in and, optionally, the file's size.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.PrepareUploadRequest")]
public sealed record PrepareUploadRequest(
    [property: Id(0)] string FolderId,
    [property: Id(1)] long? Size = null);

/// <summary>
/// Where to upload a file: a write-only Azure Blob SAS URL to a staging blob, valid until
/// <see cref="ExpiresAt"/>. Blocks are put straight to it (Put Block, then Put Block List), so a
/// client resumes an interrupted upload by sending only the blocks it has not sent.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.UploadTarget")]
public sealed record UploadTarget(
    [property: Id(0)] string UploadId,
    [property: Id(1)] string UploadUrl,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>The body of <c>:export</c>: how long the URL stays valid (default one hour, at most seven days).</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ExportRequest")]
public sealed record ExportRequest(
    [property: Id(0)] long? TtlSeconds = null);

/// <summary>A read-only, time-limited URL to an image's bytes, with the facts to verify them by.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ImageExport")]
public sealed record ImageExport(
    [property: Id(0)] string Url,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] long Size,
    [property: Id(3)] ImageFormat? Format,
    [property: Id(4)] string? Checksum);

namespace Stratum.Images;

/// <summary>What other grains ask of an image; not part of the public contract.</summary>
[Alias("Stratum.IImageInternalGrain")]
public interface IImageInternalGrain : IGrainWithStringKey
{
    /// <summary>Records a new image and starts moving its data (idempotent for the same operation).</summary>
    [Alias("Create")] Task<Operation> CreateAsync(Caller caller, CreateImageRequest request, string operationId);

    /// <summary>The image as a source for a new resource: needs the use permission, READY, not OBSOLETE.</summary>
    [Alias("GetSource"), AlwaysInterleave] Task<ImageSource> GetSourceAsync(Caller caller);

    /// <summary>The image if the caller may read it, else null; for lists and family lookups.</summary>
    [Alias("TryGet"), AlwaysInterleave] Task<Image?> TryGetAsync(Caller caller);

    /// <summary>
    /// The create's operation if this image's record holds it (a create READY when accepted), with
    /// what its reader's authorization needs; null otherwise. Reads only, so it interleaves.
    /// </summary>
    [Alias("GetHeldOperation"), AlwaysInterleave] Task<Operations.OperationState?> GetHeldOperationAsync(string operationId);

    /// <summary>What the caller may do to this image (its folder's bindings and its own); none once it is gone.</summary>
    [Alias("Granted"), AlwaysInterleave] Task<Access.Permission> GrantedAsync(Caller caller);

    /// <summary>Stops a running data transfer of the given creation operation (best effort).</summary>
    [Alias("CancelCreation"), AlwaysInterleave] Task CancelCreationAsync(string operationId);

    /// <summary>Resumes unfinished work: a data transfer or a deletion. Called by the reminder and on activation.</summary>
    [Alias("Reconcile"), OneWay] Task ReconcileAsync();

    /// <summary>
    /// Reserves compute.images.size for the running import of <paramref name="operationId"/> (see
    /// <see cref="Import.IImportQuota"/>); refused once the creation has ended or been cancelled, so
    /// a late call from a stopped transfer cannot leave a reservation behind.
    /// </summary>
    [Alias("ReserveImportSize")] Task<long> ReserveImportSizeAsync(string operationId, long bytes, bool upToLimit);

    /// <summary>Called when the data transfer ends, with its outcome.</summary>
    [Alias("FinishCreation")] Task FinishCreationAsync(string operationId, TransferOutcome outcome);
}

/// <summary>What a new image takes from its source image.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.ImageSource")]
public sealed record ImageSource(
    [property: Id(0)] Image Image,
    [property: Id(1)] long VirtualSize);

/// <summary>What a new image takes from its source (an image, a disk or a snapshot).</summary>
public sealed record SourceFacts(string Blob, long Bytes, long MinDiskSize, long VirtualSize, OsInfo Os, ImageFormat? Format, string? Checksum, IReadOnlyList<string> ProductIds);

/// <summary>How a data transfer ended: the data's facts, or an error.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.TransferOutcome")]
public sealed record TransferOutcome(
    [property: Id(0)] long Bytes,
    [property: Id(1)] string? Checksum,
    [property: Id(2)] ImageFormat? Format,
    [property: Id(3)] long VirtualSize,
    [property: Id(4)] bool Imported,
    [property: Id(5)] ErrorInfo? Error = null);

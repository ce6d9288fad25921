using Stratum.Changes;

namespace Stratum;

/// <summary>An image, keyed by its id.</summary>
[Alias("Stratum.IImageGrain")]
public interface IImageGrain : IGrainWithStringKey
{
    /// <summary>Reads the image; 404 when it does not exist or the caller may not read it.</summary>
    [Alias("Get")] Task<Image> GetAsync(Caller caller);

    /// <summary>Changes name, description, minDiskSize or labels (labels are replaced whole).</summary>
    [ImageWrite, Alias("Update")] Task<Operation> UpdateAsync(Caller caller, UpdateImageRequest request, string? idempotencyKey);

    /// <summary>Sets the deprecation state; DEPRECATED and OBSOLETE images are skipped by latest.</summary>
    [ImageWrite, Alias("Deprecate")] Task<Operation> DeprecateAsync(Caller caller, DeprecateRequest request, string? idempotencyKey);

    /// <summary>
    /// Deletes the image (refused while <c>deletionProtection</c> is set); with the folder's recycle
    /// bin on, it moves there instead. Its data lives on while anything uses it.
    /// </summary>
    [ImageWrite, Alias("Delete")] Task<Operation> DeleteAsync(Caller caller, string? idempotencyKey);

    /// <summary>Changes the image's rollout in its family now, and/or schedules its steps.</summary>
    [ImageWrite, Alias("Rollout")] Task<Operation> RolloutAsync(Caller caller, RolloutRequest request, string? idempotencyKey);

    /// <summary>Brings the image back from its folder's recycle bin, with its id and family position.</summary>
    [ImageWrite, Alias("Restore")] Task<Operation> RestoreAsync(Caller caller, string? idempotencyKey);

    /// <summary>The operations that created or changed this image, newest last.</summary>
    [Alias("ListOperations")] Task<IReadOnlyList<Operation>> ListOperationsAsync(Caller caller);

    /// <summary>
    /// A read-only, time-limited URL to the image's bytes (Range requests work); needs read access.
    /// Refused (code 9) for an image that is not READY or carries product ids.
    /// </summary>
    [Alias("Export")] Task<ImageExport> ExportAsync(Caller caller, ExportRequest request);

    /// <summary>The image's own access bindings; needs read access.</summary>
    [Alias("ListAccessBindings")] Task<IReadOnlyList<AccessBinding>> ListAccessBindingsAsync(Caller caller);

    /// <summary>Replaces the image's access bindings; needs the admin role.</summary>
    [ImageWrite, Alias("SetAccessBindings")] Task<Operation> SetAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBinding> bindings, string? idempotencyKey);

    /// <summary>Adds and removes the image's access bindings; needs the admin role.</summary>
    [ImageWrite, Alias("UpdateAccessBindings")] Task<Operation> UpdateAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBindingDelta> deltas, string? idempotencyKey);
}

/// <summary>
/// The entry point for image creation and for the folder-wide lists of images and families
/// (a stateless worker, so it scales with the silos).
/// </summary>
[Alias("Stratum.IImageCatalogGrain")]
public interface IImageCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Starts creating an image; the operation finishes when its data is stored.</summary>
    [ImageWrite, Alias("Create")] Task<Operation> CreateAsync(Caller caller, CreateImageRequest request, string? idempotencyKey);

    /// <summary>
    /// A write-only, time-limited URL to a new staging blob that the caller uploads a file to
    /// directly, in blocks; the returned upload id is then a source of <see cref="CreateAsync"/>.
    /// Needs the right to create images in the folder.
    /// </summary>
    [Alias("PrepareUpload")] Task<UploadTarget> PrepareUploadAsync(Caller caller, PrepareUploadRequest request);

    /// <summary>The images of a folder that the caller may read.</summary>
    [Alias("List")] Task<Page<Image>> ListAsync(Caller caller, string folderId, ListQuery query);

    /// <summary>The images of a folder that the caller may read, in the given view (the recycle bin's, or the others).</summary>
    [Alias("ListView")] Task<Page<Image>> ListAsync(Caller caller, string folderId, ListQuery query, ImageView view);

    /// <summary>The newest READY, ACTIVE image of a family for the caller's own cohort (its subject); 404 if none.</summary>
    [Alias("GetLatestByFamily")] Task<Image> GetLatestByFamilyAsync(Caller caller, string folderId, string family);

    /// <summary>
    /// The newest READY, ACTIVE image of a family whose rollout covers the cohort of
    /// <paramref name="cohortKey"/> (a zone, a host, a VM name; null is the caller's subject); 404 if none.
    /// </summary>
    [Alias("GetLatestByFamilyInCohort")] Task<Image> GetLatestByFamilyAsync(Caller caller, string folderId, string family, string? cohortKey);

    /// <summary>
    /// A family's changes as the caller may see them: those after <paramref name="afterRevision"/>
    /// when the family still remembers them all, else just the current latest. 404 like latestByFamily
    /// for a caller who may neither read the folder nor any member.
    /// </summary>
    [Alias("WatchFamily")] Task<FamilyChanges> WatchFamilyAsync(Caller caller, string folderId, string family, long? afterRevision);

    /// <summary>
    /// As <see cref="WatchFamilyAsync(Caller, string, string, long?)"/>, for the cohort of
    /// <paramref name="cohortKey"/> (null is the caller's subject): only changes of that cohort's latest.
    /// </summary>
    [Alias("WatchFamilyInCohort")] Task<FamilyChanges> WatchFamilyAsync(Caller caller, string folderId, string family, long? afterRevision, string? cohortKey);

    /// <summary>The families of a folder.</summary>
    [Alias("ListFamilies")] Task<Page<FamilySummary>> ListFamiliesAsync(Caller caller, string folderId, ListQuery query);
}

using Stratum.Operations;

namespace Stratum.Images;

/// <summary>
/// A create that is READY when accepted keeps its (done) operation in the image's record, written
/// in the same write as the image: the operation's own record would cost a read (its grain's
/// activation) and a write per create. The operation's id names the image
/// (<see cref="ImageCreateOperations"/>), so the operation's grain, finding no record of its own,
/// asks the image. Before the image's record is cleared for good, the operation is written to its
/// own record, so it stays readable (and a retry with its key still answers it) after the image is gone.
/// </summary>
public sealed partial class ImageGrain
{
    async Task<OperationState?> IImageInternalGrain.GetHeldOperationAsync(string operationId)
    {
        if (Stored.CreateOperation is not { } held || held.Id != operationId)
        {
            return null;
        }
        // Answered only once the list rows are known written: whoever sees the operation done must
        // find the image listed, also after a create whose row write failed after its record was stored.
        await EnsureListedAsync();
        return HeldState(held);
    }

    private bool _listed;

    /// <summary>
    /// The list rows of the image as its create left it, written again (an idempotent upsert) once per
    /// activation that answers for the create. Not after any later change (one with an operation of its
    /// own, or a move into the recycle bin): that change wrote the rows itself, and rows of the image
    /// as stored now, written beside it, could bring back rows it removed.
    /// </summary>
    private async Task EnsureListedAsync()
    {
        if (!_listed && Stored.Image is { Status: ImageStatus.Ready, DeletedAt: null } image
            && Stored.OperationIds is [var only] && only == Stored.CreateOperationId)
        {
            await index.UpsertImageAsync(image, previous: null, Stored.Bindings);
            _listed = true;
        }
    }

    private OperationState HeldState(Operation held) => new()
    {
        Operation = held,
        FolderId = Stored.Request?.FolderId,
        ResourceId = Id,
        CreatedBy = Stored.CreatedBy?.Subject,
    };

    /// <summary>An operation of this image: the create's if held in this record, else from its own record.</summary>
    private async Task<Operation?> OperationAsync(string operationId) =>
        Stored.CreateOperation is { } held && held.Id == operationId
            ? held
            : await grains.GetGrain<IOperationInternalGrain>(operationId).TryGetAsync();

    /// <summary>Writes a held operation to its own record (before this record is cleared); idempotent.</summary>
    private async Task KeepHeldOperationAsync()
    {
        if (Stored.CreateOperation is { } held)
        {
            await grains.GetGrain<IOperationInternalGrain>(held.Id).KeepAsync(HeldState(held));
        }
    }
}

/// <summary>
/// The operation id of an image's create is the image's id with the operation prefix, so the
/// operation's grain can find the image that holds it.
/// </summary>
public static class ImageCreateOperations
{
    public static string IdFor(string imageId) => ResourceIds.Operation + imageId[ResourceIds.Image.Length..];

    /// <summary>The image whose create may hold this operation; null for an id that cannot be one.</summary>
    public static string? ImageOf(string operationId) =>
        ResourceIds.IsValid(operationId, ResourceIds.Operation) ? ResourceIds.Image + operationId[ResourceIds.Operation.Length..] : null;
}

using Microsoft.Extensions.Logging;

namespace Stratum.Images;

/// <summary>
/// A plain copy of stored data (from an image, a disk or a snapshot) finishes while the create is
/// accepted: the server-side copy of a blob of this size takes one request, so the image is stored
/// READY in one write, with its operation done, and needs no reconcile reminder: nothing is left
/// running to resume. A crash before the record is written acknowledged nothing (a retry with the
/// same key does it all again: the name and quota are taken by the same owner and token, the copy
/// is overwritten); one after it finds the record and writes the operation the retry asks for.
/// </summary>
public sealed partial class ImageGrain
{
    /// <summary>Larger copies run in the background (a real store copies them asynchronously).</summary>
    public const long CopyOnAcceptLimit = 256L << 20;

    /// <summary>
    /// Only what becomes READY by its data alone: a family member or a pooled image also joins its
    /// family or layer, which must happen after the record exists, so it goes the CREATING way.
    /// </summary>
    private static bool CopiesOnAccept(CreateImageRequest request, SourceFacts? source) =>
        MayCopyOnAccept(request) && source is { Bytes: <= CopyOnAcceptLimit };

    /// <summary>Whether the request's shape can copy on accept (its source's size is known only later).</summary>
    private static bool MayCopyOnAccept(CreateImageRequest request) =>
        (request.ImageId ?? request.DiskId ?? request.SnapshotId) is not null && request.Family is null && request.Pooled != true && request.Rollout is null;

    /// <summary>
    /// The server-side copy, started as soon as the source is known so that it runs beside the name
    /// reservation and the quota (a refused create deletes it before it answers); false when it
    /// failed (the CREATING way tries again and reports why).
    /// </summary>
    private async Task<bool> CopyOnAcceptAsync(SourceFacts source)
    {
        var copying = Diagnostics.StageTimings.Now();
        try
        {
            await data.CopyAsync(source.Blob, Id, source.Bytes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogInformation(e, "Copying the data of image {ImageId} while accepting it failed; it is copied in the background instead.", Id);
            return false;
        }
        Timings.Since(Diagnostics.StageTimings.ImageTransfer, copying);
        return true;
    }

    /// <summary>A refused create keeps no data: the copy made beside its checks is deleted before the refusal is answered.</summary>
    private async Task DiscardCopyAsync(Task<bool> copying)
    {
        try
        {
            if (await copying)
            {
                await data.DeleteAsync(Id);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not delete the data copied for refused image {ImageId}.", Id);
        }
    }

    /// <summary>
    /// Stores the image READY with its operation done, both in one write (the operation is held in
    /// the image's record, see ImageGrain.HeldOperation.cs), then its list rows and the news.
    /// </summary>
    private async Task<Operation> CreateCopiedAsync(Caller caller, CreateImageRequest request, string operationId, Image creating, SourceFacts source, long held)
    {
        var finishing = Diagnostics.StageTimings.Now();
        var ready = creating with { Status = ImageStatus.Ready, StorageSize = source.Bytes };
        var done = OperationStartFor(caller, CreationDescription(request), "create", request.FolderId).Begin(operationId, ready);
        // The operation's id rides in the record, so the image's operations list has it.
        _startedOperations.Add(operationId);
        await CommitAsync(next =>
        {
            (next.Request, next.CreatedBy, next.CreateOperationId, next.CreateOperation) = (request, caller, operationId, done);
            (next.HeldSize, next.VirtualSize, next.SourceBlob) = (held, source.VirtualSize, source.Blob);
            next.Image = ready;
        });
        // As a finished transfer does: the list rows and the news before the operation is answered done.
        await Task.WhenAll(index.UpsertImageAsync(ready, previous: null, Stored.Bindings),
            changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageReady, ready)));
        _listed = true;
        Timings.Since(Diagnostics.StageTimings.ImageFinish, finishing);
        return done;
    }

    /// <summary>
    /// A retry of a create whose record was stored but whose operation was not (the silo died, or
    /// the operation's write failed): the operation is recorded now, done if the image is READY.
    /// </summary>
    private Task<Operation> RecordCreateOperationAsync(Caller caller, string operationId) =>
        StartOperationAsync(operationId, caller, CreationDescription(Stored.Request!), "create", Stored.Request!.FolderId,
            doneWith: Stored.Image is { Status: ImageStatus.Ready } ready ? ready : null);

    private string CreationDescription(CreateImageRequest request) => $"Create image {request.Name ?? Id}";
}

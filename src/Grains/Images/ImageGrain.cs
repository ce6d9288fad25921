using Microsoft.Extensions.Logging;
using Stratum.Access;
using Stratum.Changes;
using Stratum.Families;
using Stratum.Import;
using Stratum.Index;
using Stratum.Operations;
using Stratum.Validation;

namespace Stratum.Images;

/// <summary>
/// One image: its record, its bindings, and the work of creating and deleting it. Unfinished
/// work (a data transfer, a deletion) is resumed on activation and by a reminder, so nothing a
/// caller was told has started is left half done after a silo dies.
/// </summary>
public sealed partial class ImageGrain(
    [PersistentState("image", StorageNames.Images)] IPersistentState<ImageState> record,
    Orleans.Serialization.DeepCopier<ImageState> copier,
    Authorizer authorizer,
    ResourceIndex index,
    ImageData data,
    ImageImporter importer,
    UriSources uriSources,
    Uploads.StagingArea staging,
    Microsoft.Extensions.Options.IOptions<Uploads.UploadOptions> uploadOptions,
    Deployment.ComputeRows computeRows,
    ChangePublisher changes,
    IGrainFactory grains,
    ILogger<ImageGrain> logger) : Grain, IImageGrain, IImageInternalGrain, IRemindable
{
    public const string NameKind = "image";

    private readonly Storage.StoredState<ImageState> _state = new(record, copier);

    /// <summary>Operations started since the last write, recorded with the next one.</summary>
    private readonly List<string> _startedOperations = [];

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The image's record as last stored: what every call reads, even one that interleaves with a write.</summary>
    private ImageState Stored => _state.Value;

    private Image Current => Stored.Image ?? throw StratumException.NotFound("image", Id);

    async Task<Image> IImageGrain.GetAsync(Caller caller)
    {
        Authorizer.Demand(await GrantedAsync(caller), Permission.Read, "image", Id, "read");
        return Current;
    }

    async Task<Image?> IImageInternalGrain.TryGetAsync(Caller caller) =>
        Stored.Image is { } image && (await GrantedAsync(caller)).HasFlag(Permission.Read) ? image : null;

    async Task<ImageSource> IImageInternalGrain.GetSourceAsync(Caller caller)
    {
        Authorizer.Demand(await GrantedAsync(caller), Permission.Use, "image", Id, "use");
        var image = Current;
        if (image.Status != ImageStatus.Ready)
        {
            throw StratumException.Precondition($"Image '{Id}' is {ContractNames.Of(image.Status)}; only a READY image can be a source.");
        }
        if (image.Deprecation.State == DeprecationState.Obsolete)
        {
            throw StratumException.Precondition($"Image '{Id}' is OBSOLETE and cannot be a source for new resources" +
                (image.Deprecation.Replacement is { } replacement ? $"; use '{replacement}' instead." : "."));
        }
        return new ImageSource(image, Stored.VirtualSize);
    }

    Task<Operation> IImageGrain.UpdateAsync(Caller caller, UpdateImageRequest request, string? idempotencyKey) =>
        MutateAsync(caller, idempotencyKey, "update", ChangeKind.ImageUpdated, request, $"Update image {Id}", async image =>
        {
            ImageRequestRules.Validate(request);
            if (request.MinDiskSize is { } minDiskSize)
            {
                ImageRequestRules.MinDiskSizeCovers(minDiskSize, Stored.VirtualSize);
            }
            if (request.Name is { } name && name != image.Name)
            {
                await index.ReserveNameAsync(image.FolderId, NameKind, name, Id);
            }
            return image with
            {
                Name = request.Name ?? image.Name,
                Description = request.Description ?? image.Description,
                MinDiskSize = request.MinDiskSize ?? image.MinDiskSize,
                Labels = request.Labels ?? image.Labels,
                DeletionProtection = request.DeletionProtection ?? image.DeletionProtection,
            };
        });

    Task<Operation> IImageGrain.DeprecateAsync(Caller caller, DeprecateRequest request, string? idempotencyKey) =>
        ArmedAfterAsync(MutateAsync(caller, idempotencyKey, "deprecate", ChangeKind.ImageDeprecated, request, $"Deprecate image {Id}", async image =>
        {
            ImageRequestRules.Validate(request);
            if (image.Status != ImageStatus.Ready)
            {
                throw StratumException.Precondition($"Image '{Id}' is {ContractNames.Of(image.Status)}; only a READY image can be deprecated.");
            }
            if (request.Replacement is { } replacement)
            {
                await CheckReplacementAsync(caller, image, replacement);
            }
            return Deprecated(image, request);
        }));

    /// <summary>A replacement is another READY image of the same folder that the caller can read.</summary>
    private async Task CheckReplacementAsync(Caller caller, Image image, string replacement)
    {
        if (replacement == Id)
        {
            throw StratumException.Invalid($"replacement '{replacement}' is the image itself; name another image.");
        }
        var other = await grains.GetGrain<IImageInternalGrain>(replacement).TryGetAsync(caller);
        if (other is null || other.FolderId != image.FolderId)
        {
            throw StratumException.Invalid($"replacement '{replacement}' is not an image of folder '{image.FolderId}'; it must be another existing image of the same folder.");
        }
        if (other.Status != ImageStatus.Ready)
        {
            throw StratumException.Invalid($"replacement '{replacement}' is {ContractNames.Of(other.Status)}; only a READY image can replace another.");
        }
    }

    async Task<IReadOnlyList<Operation>> IImageGrain.ListOperationsAsync(Caller caller)
    {
        Authorizer.Demand(await GrantedAsync(caller), Permission.Audit, "image", Id, "list the operations of");
        var operations = await Task.WhenAll(Stored.OperationIds.Select(OperationAsync));
        return operations.OfType<Operation>().ToList();
    }

    async Task<IReadOnlyList<AccessBinding>> IImageGrain.ListAccessBindingsAsync(Caller caller)
    {
        Authorizer.Demand(await GrantedAsync(caller), Permission.Audit, "image", Id, "list the access bindings of");
        return Stored.Bindings.ToList();
    }

    Task<Operation> IImageGrain.SetAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBinding> bindings, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "setAccessBindings", bindings, () =>
        {
            BindingRules.Validate(bindings, onImage: true);
            return bindings.Distinct().ToList();
        });

    Task<Operation> IImageGrain.UpdateAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBindingDelta> deltas, string? idempotencyKey) =>
        ChangeBindingsAsync(caller, idempotencyKey, "updateAccessBindings", deltas,
            () => BindingRules.Apply(Stored.Bindings, deltas, onImage: true));

    private Task<Operation> ChangeBindingsAsync(Caller caller, string? idempotencyKey, string action, object request, Func<List<AccessBinding>> change) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"images.{action}:{Id}", request, Id, async (opId, _) =>
        {
            Authorizer.Demand(await GrantedAsync(caller), Permission.Admin, "image", Id, "change access bindings of");
            var bindings = change();
            var op = await StartOperationAsync(opId, caller, $"Change access bindings of image {Id}", action);
            await CommitAsync(next => next.Bindings = bindings);
            await index.UpsertImageAsync(Current, null, bindings);
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.AccessChanged, Current));
            return await grains.GetGrain<IOperationInternalGrain>(op.Id).CompleteAsync(EmptyResponse.Instance);
        });

    /// <summary>
    /// The shape of every synchronous change: idempotency, the edit permission, a READY-or-ERROR
    /// image, then state, family, index and name reservation brought in line, the change published, then the operation done.
    /// </summary>
    private Task<Operation> MutateAsync(Caller caller, string? idempotencyKey, string action, ChangeKind kind, object request, string description, Func<Image, Task<Image>> change) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"images.{action}:{Id}", request, Id, async (opId, _) =>
        {
            Authorizer.Demand(await GrantedAsync(caller), Permission.Edit, "image", Id, action);
            var previous = Current;
            if (previous.Status is ImageStatus.Deleting or ImageStatus.Creating or ImageStatus.Deleted)
            {
                throw StratumException.Precondition($"Image '{Id}' is {ContractNames.Of(previous.Status)} and cannot be changed now.");
            }
            var updated = await change(previous);
            var op = await StartOperationAsync(opId, caller, description, action);
            try
            {
                await CommitAsync(next => next.Image = updated);
            }
            catch (StratumException) when (updated.Name is { } newName && newName != previous.Name)
            {
                // Not stored: the new name reserved for it is free again.
                await index.ReleaseNameAsync(previous.FolderId, NameKind, newName, Id);
                throw;
            }
            if (updated.Family is { } family && updated.Deprecation.State != previous.Deprecation.State)
            {
                await Family(family).SetDeprecationAsync(Id, updated.Deprecation.State);
            }
            await index.UpsertImageAsync(updated, previous, Stored.Bindings);
            if (previous.Name is { } oldName && oldName != updated.Name)
            {
                await index.ReleaseNameAsync(previous.FolderId, NameKind, oldName, Id);
            }
            await changes.PublishAsync(ChangeEvent.OfImage(kind, updated));
            return await grains.GetGrain<IOperationInternalGrain>(op.Id).CompleteAsync(updated);
        });

    /// <summary>
    /// Records a new operation on this image; <paramref name="action"/> decides its metadata's type.
    /// With <paramref name="doneWith"/>, the operation is recorded done with that response (one write).
    /// </summary>
    private async Task<Operation> StartOperationAsync(string opId, Caller caller, string description, string action, string? folderId = null, object? doneWith = null)
    {
        var start = OperationStartFor(caller, description, action, folderId);
        // Noted before the operation is written, so a record write running beside it carries the id.
        _startedOperations.Add(opId);
        try
        {
            var operation = grains.GetGrain<IOperationInternalGrain>(opId);
            return await (doneWith is null ? operation.StartAsync(start) : operation.StartDoneAsync(start, doneWith));
        }
        catch
        {
            _startedOperations.Remove(opId);
            throw;
        }
    }

    /// <summary>What a new operation on this image records: who, which folder, and its metadata.</summary>
    private OperationStart OperationStartFor(Caller caller, string description, string action, string? folderId)
    {
        folderId ??= Stored.Image?.FolderId ?? Stored.Request?.FolderId;
        var metadata = new Dictionary<string, string> { ["imageId"] = Id, ["folderId"] = folderId ?? "" };
        if (OperationTypeOf(action) is { } type)
        {
            metadata[OperationTypes.Key] = type;
        }
        if (action is "setAccessBindings" or "updateAccessBindings")
        {
            metadata["resourceId"] = Id;
        }
        return new OperationStart(description, caller, folderId, Id, metadata);
    }

    private static string? OperationTypeOf(string action) => action switch
    {
        "create" => OperationTypes.CreateImage,
        "update" => OperationTypes.UpdateImage,
        "deprecate" => OperationTypes.DeprecateImage,
        "rollout" => OperationTypes.RolloutImage,
        "restore" => OperationTypes.RestoreImage,
        "delete" => OperationTypes.DeleteImage,
        "setAccessBindings" => OperationTypes.SetAccessBindings,
        "updateAccessBindings" => OperationTypes.UpdateAccessBindings,
        _ => null,
    };

    Task<Permission> IImageInternalGrain.GrantedAsync(Caller caller) => GrantedAsync(caller);

    private async Task<Permission> GrantedAsync(Caller caller) => Stored.Image is { } image
        ? await authorizer.OnImageAsync(caller, image.FolderId, Stored.Bindings)
        : Permission.None;

    private IFamilyGrain Family(string family) => grains.Cached<IFamilyGrain>(IFamilyGrain.Key(Current.FolderId, family));
}

using Microsoft.Extensions.Logging;
using Stratum.Access;
using Stratum.Folders;
using Stratum.Operations;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    private const string ReconcileReminder = "reconcile";

    private CancellationTokenSource? _transfer;

    async Task<Operation> IImageInternalGrain.CreateAsync(Caller caller, CreateImageRequest request, string operationId)
    {
        // The activation is done: a later one of this image (woken by news this call publishes) must read its record.
        Storage.NewRecords.Consume();
        var started = Diagnostics.StageTimings.Now();
        try
        {
            return await CreateAsync(caller, request, operationId);
        }
        finally
        {
            Timings.Since(Diagnostics.StageTimings.ImageAccept, started);
        }
    }

    private async Task<Operation> CreateAsync(Caller caller, CreateImageRequest request, string operationId)
    {
        if (Stored.CreateOperationId is { } existing)
        {
            if (existing != operationId)
            {
                throw new StratumException(ErrorCode.AlreadyExists, $"Image '{Id}' already exists.");
            }
            if (Stored.CreateOperation is { } heldOperation)
            {
                // Its list rows may be what failed the first attempt.
                await EnsureListedAsync();
                return heldOperation;
            }
            return await OperationAsync(operationId) ?? await RecordCreateOperationAsync(caller, operationId);
        }

        // The operation's grain reads its (absent) record on activation: woken now, that read
        // overlaps the checks below instead of adding a round trip when the operation is written.
        // A copy on accept writes no record of its operation, so it wakes nothing.
        var operationRead = MayCopyOnAccept(request) ? Task.CompletedTask : grains.GetGrain<IOperationInternalGrain>(operationId).TryGetAsync();

        // Everything that can refuse the request is checked before anything is written (the
        // catalog, the only caller, has checked the request's own rules before claiming its key).
        var folderAccess = await authorizer.OnFolderAsync(caller, request.FolderId);
        Authorizer.Demand(folderAccess, Permission.Edit, "folder", request.FolderId, "create images in");
        var source = await ResolveSourceAsync(caller, request);
        var os = request.Os ?? source?.Os ?? new OsInfo(OsType.Linux);
        var minDiskSize = request.MinDiskSize ?? Math.Max(source?.MinDiskSize ?? 0, Validation.Rules.MinDiskSize);
        if (source is not null)
        {
            ImageRequestRules.MinDiskSizeCovers(minDiskSize, source.MinDiskSize);
        }

        var copying = CopiesOnAccept(request, source) ? CopyOnAcceptAsync(source!) : null;
        var held = source?.Bytes ?? 0;
        try
        {
            await TakeNameAndQuotaAsync(request, held);
        }
        catch when (copying is not null)
        {
            await DiscardCopyAsync(copying);
            throw;
        }

        await operationRead;
        var image = WithReleaseSettings(new Image(Id, request.FolderId, DateTimeOffset.UtcNow, request.Name, request.Description ?? "",
            request.Labels ?? new Dictionary<string, string>(), request.Family, source?.Bytes ?? 0, minDiskSize,
            request.ProductIds ?? source?.ProductIds ?? [], ImageStatus.Creating, os, request.Pooled ?? false,
            source?.Format, source?.Checksum, LayerId: null, Deprecation.Active, FamilySequence: null), request);
        if (copying is not null && await copying)
        {
            return await CreateCopiedAsync(caller, request, operationId, image, source!, held);
        }
        // The operation and the image's record are independent writes: one round trip for both.
        // A record that fails to store leaves the grain as it was, so a retry (the same operation) starts over.
        var starting = StartOperationAsync(operationId, caller, CreationDescription(request), "create", request.FolderId);
        await Task.WhenAll(starting, CommitAsync(next =>
        {
            (next.Request, next.CreatedBy, next.CreateOperationId) = (request, caller, operationId);
            (next.HeldSize, next.VirtualSize, next.SourceBlob) = (held, source?.VirtualSize ?? 0, source?.Blob);
            next.Image = image;
        }));
        // So are the list rows, the news and the reminder that resumes the transfer after a crash.
        var reminder = this.RegisterOrUpdateReminder(ReconcileReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await Task.WhenAll(
            index.UpsertImageAsync(image, previous: null, Stored.Bindings),
            changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageCreated, image)),
            reminder);
        _reconcileReminder = await reminder;
        StartTransfer();
        return await starting;
    }

    /// <summary>The name, then the quota: a name refused takes no quota; a quota refused frees the name.</summary>
    private async Task TakeNameAndQuotaAsync(CreateImageRequest request, long held)
    {
        if (request.Name is { } name)
        {
            await index.ReserveNameAsync(request.FolderId, NameKind, name, Id);
        }
        try
        {
            await Folder(request.FolderId).ChangeUsageAsync($"{Id}:create", CreationQuota(request, held));
        }
        catch (StratumException) when (request.Name is not null)
        {
            await index.ReleaseNameAsync(request.FolderId, NameKind, request.Name, Id);
            throw;
        }
    }

    Task IImageInternalGrain.CancelCreationAsync(string operationId)
    {
        if (Stored.CreateOperationId == operationId)
        {
            _transfer?.Cancel();
        }
        return Task.CompletedTask;
    }

    async Task IImageInternalGrain.FinishCreationAsync(string operationId, TransferOutcome outcome)
    {
        var finishing = Diagnostics.StageTimings.Now();
        _transfer = null;
        if (Stored.CreateOperationId != operationId || Stored.Image is not { Status: ImageStatus.Creating } creating)
        {
            if (Stored.Image is null && outcome.Error is null)
            {
                // Deleted while its data was still moving: the data committed after the deletion removed it.
                await data.DeleteAsync(Id);
            }
            return;
        }
        var op = grains.GetGrain<IOperationInternalGrain>(operationId);
        if (outcome.Error is { } error)
        {
            await FailCreationAsync(creating, error);
            return;
        }
        var ready = creating with
        {
            Status = ImageStatus.Ready,
            StorageSize = outcome.Bytes,
            Format = outcome.Format ?? creating.Format,
            Checksum = outcome.Checksum ?? creating.Checksum,
            MinDiskSize = Math.Max(creating.MinDiskSize, outcome.VirtualSize),
        };
        if (ready.Pooled)
        {
            // Optimized for deployment: the data becomes a shared base layer, found by content.
            var layerId = LayerIdOf(ready);
            await grains.GetGrain<Layers.ILayerGrain>(layerId).HoldForImageAsync(Id, Id, ready.StorageSize, ready.Checksum ?? "");
            ready = ready with { LayerId = layerId };
        }
        if (ready.Family is { } family)
        {
            ready = ready with { FamilySequence = await Family(family).JoinAsync(Id, ready.Deprecation.State, Rollout.PercentOf(ready)) };
        }
        await CommitAsync(next =>
        {
            if (outcome.Imported)
            {
                // The import's reservation becomes what the image holds: recorded here first, so a
                // crash before the folder hears of it is settled again on activation, never twice.
                next.HeldSize += outcome.Bytes;
                next.SettleImport = outcome.Bytes;
            }
            next.VirtualSize = Math.Max(next.VirtualSize, outcome.VirtualSize);
            next.Image = ready;
        });
        // The settlement, the list rows and the news are independent: one round trip; the operation
        // is done only after them, so whoever sees it done finds the image READY everywhere.
        await Task.WhenAll(SettleImportAsync(), index.UpsertImageAsync(ready, creating, Stored.Bindings),
            changes.PublishAsync(Changes.ChangeEvent.OfImage(Changes.ChangeKind.ImageReady, ready)));
        await op.CompleteAsync(ready);
        await DropReconcileReminderAsync();
        Timings.Since(Diagnostics.StageTimings.ImageFinish, finishing);
    }

    private IGrainReminder? _reconcileReminder;

    /// <summary>
    /// A creation that ended needs no reminder: dropped now, by the handle its registration returned,
    /// instead of by the next tick (which would wake the grain, read the reminder, then delete it).
    /// </summary>
    private async Task DropReconcileReminderAsync()
    {
        if (_reconcileReminder is not { } reminder)
        {
            return;
        }
        _reconcileReminder = null;
        try
        {
            await this.UnregisterReminder(reminder);
        }
        catch (Exception e)
        {
            // The next tick finds nothing to do and drops it then.
            logger.LogDebug(e, "Could not drop the reconcile reminder of image {ImageId}", Id);
        }
    }

    /// <summary>
    /// Ends a creation in ERROR: no data is kept, and the image holds no size quota (an import's
    /// reservation is settled at 0, a copy's size given back); it still counts as an image until deleted.
    /// </summary>
    private async Task FailCreationAsync(Image creating, ErrorInfo error)
    {
        var copied = Stored.HeldSize;
        await CommitAsync(next =>
        {
            next.Image = creating with { Status = ImageStatus.Error };
            next.SettleImport = next.SourceBlob is null ? 0 : null;
            next.HeldSize = 0;
        });
        await data.DeleteAsync(Id);
        await SettleImportAsync();
        if (copied > 0)
        {
            await Folder(creating.FolderId).ChangeUsageAsync($"{Id}:failed", [new QuotaDelta(QuotaNames.ImagesSize, -copied)]);
        }
        await index.UpsertImageAsync(Stored.Image!, creating, Stored.Bindings);
        await grains.GetGrain<IOperationInternalGrain>(Stored.CreateOperationId!).FailAsync(error);
        await DropReconcileReminderAsync();
    }

    /// <summary>The layer of a pooled image: by content; data of unknown checksum (copied from a disk) gets a layer of its own.</summary>
    private static string LayerIdOf(Image image) => Layers.LayerIds.FromChecksum(image.Checksum
        ?? "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image.Id))));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Stored.Image?.Status == ImageStatus.Creating)
        {
            StartTransfer();
        }
        if (Stored.Image?.Status == ImageStatus.Deleting || Stored.SettleImport is not null)
        {
            // A deletion to finish or a settlement the folder may not have heard of: a one-way
            // call to itself, as activation should not wait on other grains.
            _ = this.AsReference<IImageInternalGrain>().ReconcileAsync();
        }
        OnActivateLifecycle();
        return Task.CompletedTask;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        // Any tick finishes what the record says is unfinished: the reminder set for it may have died with a silo.
        if (HasUnfinishedWork || (reminderName == ReconcileReminder && Stored.Image?.Status == ImageStatus.Creating))
        {
            await ((IImageInternalGrain)this).ReconcileAsync();
        }
        if (reminderName == LifecycleReminder)
        {
            await OnLifecycleReminderAsync();
            return;
        }
        if (HasUnfinishedWork || Stored.Image?.Status == ImageStatus.Creating)
        {
            return;
        }
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Where a new image's data comes from; null for an import, whose facts come from the file.</summary>
    private async Task<SourceFacts?> ResolveSourceAsync(Caller caller, CreateImageRequest request)
    {
        if (request.ImageId is { } imageId)
        {
            var source = await grains.GetGrain<IImageInternalGrain>(imageId).GetSourceAsync(caller);
            var image = source.Image;
            return new SourceFacts(image.Id, image.StorageSize, image.MinDiskSize, source.VirtualSize, image.Os, image.Format, image.Checksum, image.ProductIds);
        }
        if ((request.DiskId ?? request.SnapshotId) is { } id)
        {
            var noun = request.DiskId is null ? "snapshot" : "disk";
            var row = await computeRows.GetAsync(id);
            if (row is null || row.GetString("Kind") != (request.DiskId is null ? Deployment.ComputeRows.SnapshotKind : Deployment.ComputeRows.DiskKind))
            {
                throw StratumException.NotFound(noun, id);
            }
            Authorizer.Demand(await authorizer.OnImageAsync(caller, row.GetString("FolderId"), []), Permission.Use, noun, id, "use");
            if (row.GetString("DataBlob") is not { Length: > 0 } blob)
            {
                throw StratumException.Precondition($"The {noun} '{id}' is empty: there is no data to make an image of.");
            }
            var (size, os) = request.DiskId is null
                ? (Deployment.ComputeRows.Read<Snapshot>(row).DiskSize, Deployment.ComputeRows.Read<Snapshot>(row).Os)
                : (Deployment.ComputeRows.Read<Disk>(row).Size, new OsInfo(Deployment.ShardRows.OsOf(row)));
            return new SourceFacts(blob, row.GetInt64("DataBytes") ?? 0, size, size, os, null, null, []);
        }
        if (request.UploadId is { } uploadId)
        {
            await grains.GetGrain<Uploads.IUploadGrain>(uploadId).CheckAsync(caller, request.FolderId);
            return null;
        }
        uriSources.For(request.Uri);
        return null;
    }

    private static List<QuotaDelta> CreationQuota(CreateImageRequest request, long size)
    {
        var deltas = new List<QuotaDelta> { new(QuotaNames.ImagesCount, 1) };
        if (size > 0)
        {
            deltas.Add(new QuotaDelta(QuotaNames.ImagesSize, size));
        }
        if (request.Pooled == true)
        {
            deltas.Add(new QuotaDelta(QuotaNames.DiskPoolsCount, 1));
        }
        return deltas;
    }

    private IFolderInternalGrain Folder(string folderId) => grains.GetGrain<IFolderInternalGrain>(folderId);
}

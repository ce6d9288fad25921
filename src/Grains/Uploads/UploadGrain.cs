using Microsoft.Extensions.Options;
using Stratum.Access;
using Stratum.Import;

namespace Stratum.Uploads;

/// <summary>
/// A staged upload. The bytes never pass through here: the client puts them straight into the
/// staging blob with the signed URL. A reminder due at expiry removes the staging blob (and this
/// record) unless an image's import is still reading it, in which case it looks again later.
/// </summary>
public sealed class UploadGrain(
    [PersistentState("upload", StorageNames.Uploads)] IPersistentState<UploadState> state,
    Authorizer authorizer,
    StagingArea staging,
    IOptions<UploadOptions> options,
    IOptions<ImportOptions> importOptions,
    IGrainFactory grains) : Grain, IUploadGrain, IRemindable
{
    private const string ExpiryReminder = "expiry";

    /// <summary>How often an expired upload still being imported is looked at again.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMinutes(5);

    /// <summary>How long the record outlives its staging blob, so a late create is told "expired", not "not found".</summary>
    private static readonly TimeSpan RecordKeptFor = TimeSpan.FromHours(1);

    private string Id => this.GetPrimaryKeyString();

    async Task<UploadTarget> IUploadGrain.PrepareAsync(Caller caller, PrepareUploadRequest request)
    {
        if (state.State.Upload is not null)
        {
            throw new StratumException(ErrorCode.AlreadyExists, $"Upload '{Id}' already exists.");
        }
        Authorizer.Demand(await authorizer.OnFolderAsync(caller, request.FolderId), Permission.Edit, "folder", request.FolderId, "create images in");
        if (request.Size is { } size)
        {
            await CheckSizeAsync(caller, request.FolderId, size);
        }
        var expiresAt = DateTimeOffset.UtcNow + options.Value.UrlLifetime;
        var url = await staging.UploadUrlAsync(Id, expiresAt);
        await WriteAsync(new UploadRecord(request.FolderId, caller.Subject, expiresAt, request.Size));
        await this.RegisterOrUpdateReminder(ExpiryReminder, Later(expiresAt), Recheck);
        return new UploadTarget(Id, url, expiresAt);
    }

    Task IUploadGrain.CheckAsync(Caller caller, string folderId)
    {
        var upload = Usable(caller);
        if (upload.FolderId != folderId)
        {
            throw StratumException.Invalid($"uploadId '{Id}' was prepared for folder '{upload.FolderId}', not '{folderId}'.");
        }
        if (upload.ImageId is { } imageId)
        {
            throw StratumException.Precondition($"Upload '{Id}' was already used by image '{imageId}'; prepare a new upload.");
        }
        if (upload.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            throw StratumException.Precondition($"Upload '{Id}' expired at {ContractNames.Time(upload.ExpiresAt)}; prepare a new upload.");
        }
        return Task.CompletedTask;
    }

    async Task IUploadGrain.ClaimAsync(string imageId)
    {
        var upload = state.State.Upload ?? throw StratumException.Precondition($"Upload '{Id}' no longer exists (it expired or was used).");
        if (upload.ImageId == imageId)
        {
            return;
        }
        if (upload.ImageId is not null)
        {
            throw StratumException.Precondition($"Upload '{Id}' was already used by image '{upload.ImageId}'.");
        }
        if (upload.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            throw StratumException.Precondition($"Upload '{Id}' expired at {ContractNames.Time(upload.ExpiresAt)} before its import started.");
        }
        await WriteAsync(upload with { ImageId = imageId });
    }

    async Task IUploadGrain.FinishAsync(string imageId)
    {
        if (state.State.Upload is not { } upload || upload.ImageId != imageId)
        {
            return;
        }
        await staging.DeleteAsync(Id);
        if (!upload.Finished)
        {
            await WriteAsync(upload with { Finished = true });
        }
    }

    /// <summary>
    /// At expiry: the URL no longer writes, so the staging blob goes (and an hour later the record),
    /// unless an import claimed the upload and has not finished (the image grain resumes it and calls Finish).
    /// </summary>
    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Upload is { } upload && (upload.ExpiresAt > DateTimeOffset.UtcNow || upload is { ImageId: not null, Finished: false }))
        {
            return;
        }
        await staging.DeleteAsync(Id);
        if (state.State.Upload is { } expired && expired.ExpiresAt + RecordKeptFor > DateTimeOffset.UtcNow)
        {
            return;
        }
        if (state.State.Upload is not null)
        {
            await state.ClearStateAsync();
            state.State = new UploadState();
        }
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>The upload as its owner sees it; anyone else is told it does not exist.</summary>
    private UploadRecord Usable(Caller caller) =>
        state.State.Upload is { } upload && upload.Owner == caller.Subject ? upload : throw StratumException.NotFound("upload", Id);

    private async Task CheckSizeAsync(Caller caller, string folderId, long size)
    {
        if (size < 0)
        {
            throw StratumException.Invalid("size must not be negative.");
        }
        if (size > importOptions.Value.MaxBytes)
        {
            throw StratumException.Invalid($"size {size} is larger than the import limit of {importOptions.Value.MaxBytes} bytes.");
        }
        var quotas = await grains.GetGrain<IFolderGrain>(folderId).GetQuotasAsync(caller);
        if (quotas.FirstOrDefault(q => q.Name == QuotaNames.ImagesSize) is { } quota && quota.Usage + size > quota.Limit)
        {
            throw StratumException.QuotaExceeded(folderId, quota.Name, quota.Limit, quota.Usage, size);
        }
    }

    /// <summary>State changes only together with a successful write.</summary>
    private async Task WriteAsync(UploadRecord upload)
    {
        var previous = state.State;
        state.State = new UploadState { Upload = upload };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    private static TimeSpan Later(DateTimeOffset at) =>
        at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
}

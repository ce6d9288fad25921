using Stratum.Cli.Transfers;

namespace Stratum.Cli.Commands;

internal sealed class ImageCreateSettings : GlobalSettings
{
    [CommandOption("--name <NAME>")] public string? Name { get; init; }
    [CommandOption("--family <FAMILY>")] public string? Family { get; init; }
    [CommandOption("--description <TEXT>")] public string? Description { get; init; }
    [CommandOption("--label <KEY=VALUE>")][Description("Repeat for several.")] public string[]? Labels { get; init; }
    [CommandOption("--os-type <TYPE>")][Description("linux or windows.")] public string? OsType { get; init; }
    [CommandOption("--pooled")][Description("Optimized for mass deployment (a shared base layer).")] public bool Pooled { get; init; }
    [CommandOption("--min-disk-size <SIZE>")] public string? MinDiskSize { get; init; }
    [CommandOption("--format-hint <FORMAT>")][Description("qcow2, vmdk, vhd or raw: refused if the bytes say otherwise.")] public string? FormatHint { get; init; }
    [CommandOption("--file <PATH>")][Description("Upload a local file (resumes an interrupted upload of the same file).")] public string? File { get; init; }
    [CommandOption("--source-uri <URL>")][Description("Import from an http(s) URL the service may fetch.")] public string? SourceUri { get; init; }
    [CommandOption("--source-image <ID>")] public string? SourceImage { get; init; }
    [CommandOption("--source-disk <ID>")] public string? SourceDisk { get; init; }
    [CommandOption("--source-snapshot <ID>")] public string? SourceSnapshot { get; init; }
    [CommandOption("--async")][Description("Return once the image is being created, without waiting for it.")] public bool Async { get; init; }
    [CommandOption("--limit-rate <SIZE>")][Description("Upload at most this many bytes per second (e.g. 50M).")] public string? LimitRate { get; init; }

    public override ValidationResult Validate()
    {
        var sources = new[] { File, SourceUri, SourceImage, SourceDisk, SourceSnapshot }.Count(s => s is not null);
        if (sources != 1)
        {
            return ValidationResult.Error("Give exactly one source: --file, --source-uri, --source-image, --source-disk or --source-snapshot.");
        }
        if (OsType is not null && OsType.ToLowerInvariant() is not ("linux" or "windows"))
        {
            return ValidationResult.Error($"--os-type must be linux or windows, not '{OsType}'.");
        }
        if (FormatHint is not null && FormatHint.ToLowerInvariant() is not ("qcow2" or "vmdk" or "vhd" or "raw"))
        {
            return ValidationResult.Error($"--format-hint must be qcow2, vmdk, vhd or raw, not '{FormatHint}'.");
        }
        return base.Validate();
    }
}

[Description("Create an image: upload a file (with a progress bar), import a URL, or copy an image, disk or snapshot.")]
internal sealed class ImageCreateCommand(CliEnvironment environment) : ApiCommand<ImageCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ImageCreateSettings settings, CancellationToken cancellation)
    {
        var folderId = FolderId(settings);
        var body = Body(settings, folderId);
        using var api = Api(settings);
        string? localChecksum = null;
        string? idempotencyKey = null;
        UploadJournal? journal = null;
        if (settings.File is { } path)
        {
            var file = new FileInfo(path);
            RequireImageFile(file);
            // Read once: it decides whether the name is checked, what the upload resumes, and is deleted once the create is sent.
            journal = UploadJournal.TryResume(Environment.ConfigDirectory, file, folderId);
            if (journal is null)
            {
                await RefuseTakenNameAsync(api, folderId, settings.Name, cancellation);
            }
            (journal, var checksum) = await UploadAsync(api, file, journal, folderId, settings, cancellation);
            var uploadId = journal.UploadId;
            body["uploadId"] = uploadId;
            localChecksum = checksum;
            // The same upload makes at most one image, also when this request is retried.
            idempotencyKey = "stratum-cli-" + uploadId;
        }
        var operation = await api.PostAsync(Images.Path, body, cancellation, idempotencyKey);
        journal?.Delete();
        if (settings.Async)
        {
            Print(settings, operation, "operation");
            return ExitCodes.Ok;
        }
        var imageId = operation["metadata"]?["imageId"]?.GetValue<string>();
        JsonNode done;
        try
        {
            done = await WaitWithSpinnerAsync(api, operation, $"Creating image {settings.Name ?? imageId}", cancellation, async _ =>
                imageId is null ? "" : (await api.GetAsync($"{Images.Path}/{imageId}", cancellation))["status"]?.GetValue<string>() ?? "");
        }
        catch (OperationCanceledException)
        {
            // Only the waiting stops: the service goes on creating the image from the upload.
            Err.MarkupLineInterpolated($"Image {imageId} is still being created; follow it with: stratum operation wait {operation["id"]}");
            throw;
        }
        var image = StratumApi.ResponseOf(done);
        Print(settings, image);
        if (localChecksum is not null && image["checksum"]?.GetValue<string>() != localChecksum)
        {
            throw new TransferException($"The image's checksum {image["checksum"]} differs from the file's {localChecksum}.");
        }
        return ExitCodes.Ok;
    }

    private static JsonObject Body(ImageCreateSettings settings, string folderId)
    {
        var body = new JsonObject { ["folderId"] = folderId };
        Fields.Put(body, "name", settings.Name);
        Fields.Put(body, "family", settings.Family);
        Fields.Put(body, "description", settings.Description);
        Fields.PutLabels(body, settings.Labels);
        Fields.PutSize(body, "minDiskSize", settings.MinDiskSize, "--min-disk-size");
        Fields.Put(body, "format", settings.FormatHint?.ToUpperInvariant());
        Fields.Put(body, "uri", settings.SourceUri);
        Fields.Put(body, "imageId", settings.SourceImage);
        Fields.Put(body, "diskId", settings.SourceDisk);
        Fields.Put(body, "snapshotId", settings.SourceSnapshot);
        if (settings.OsType is not null)
        {
            body["os"] = new JsonObject { ["type"] = settings.OsType.ToUpperInvariant() };
        }
        if (settings.Pooled)
        {
            body["pooled"] = true;
        }
        return body;
    }

    /// <summary>What can't be an image is refused before anything is sent: no file, or an empty one (no format has 0 bytes).</summary>
    private static void RequireImageFile(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new UsageException($"--file: '{file.FullName}' is not a file.");
        }
        if (file.Length == 0)
        {
            throw new UsageException($"--file: '{file.FullName}' is empty; an image file holds at least one 512-byte sector.");
        }
    }

    /// <summary>
    /// A name already taken in the folder is refused before the file is sent (the create would refuse it only after
    /// the whole upload). Not called for a resumed upload: its create may have been made already, and is then answered
    /// again by its idempotency key. The create still decides: a name taken meanwhile is refused there.
    /// </summary>
    private static async Task RefuseTakenNameAsync(StratumApi api, string folderId, string? name, CancellationToken cancellation)
    {
        // A name with a quote is no name (the create says why); it would not fit in the filter either.
        if (name is null || name.Contains('\'', StringComparison.Ordinal))
        {
            return;
        }
        var filter = Uri.EscapeDataString($"name = '{name}'");
        var found = await api.GetAsync($"{Images.Path}?folderId={Uri.EscapeDataString(folderId)}&filter={filter}&pageSize=1", cancellation);
        if (found["images"]?.AsArray() is [{ } taken, ..])
        {
            throw new ApiException(6, $"An image named '{name}' already exists in folder '{folderId}' ({taken["id"]}); nothing was uploaded.", 409);
        }
    }

    /// <summary>Sends the file, resuming <paramref name="journal"/> when there is one; returns the upload's journal and the file's checksum.</summary>
    private async Task<(UploadJournal Journal, string Checksum)> UploadAsync(StratumApi api, FileInfo file, UploadJournal? journal, string folderId, ImageCreateSettings settings, CancellationToken cancellation)
    {
        var limit = new RateLimit(settings.LimitRate is null ? null : Sizes.Parse(settings.LimitRate, "--limit-rate"));
        if (journal is null)
        {
            var target = await api.PostAsync("/compute/v1/images:prepareUpload",
                new JsonObject { ["folderId"] = folderId, ["size"] = file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellation);
            journal = UploadJournal.Start(Environment.ConfigDirectory, file, folderId, target["uploadId"]!.GetValue<string>(),
                target["uploadUrl"]!.GetValue<string>(), target["expiresAt"]!.GetValue<DateTimeOffset>(), Uploader.BlockSizeFor(file.Length));
        }
        else
        {
            Err.MarkupLineInterpolated($"Resuming upload {journal.UploadId}: {Sizes.Format(Math.Min(file.Length, (long)journal.Done.Count * journal.BlockSize))} of {Sizes.Format(file.Length)} already sent.");
        }
        UploadResult result;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            result = await TransferProgress().StartAsync(async progress =>
            {
                var task = progress.AddTask($"Uploading {Markup.Escape(file.Name)}", maxValue: Math.Max(1, file.Length));
                return await Uploader.UploadAsync(file, journal, bytes => task.Increment(bytes), limit, cancellation);
            });
        }
        catch (Azure.RequestFailedException e)
        {
            throw new TransferException($"The blob store refused the upload (HTTP {e.Status} {e.ErrorCode}); run the same command again to resume.", e);
        }
        var rate = Sizes.Format((long)(result.BytesSent / Math.Max(clock.Elapsed.TotalSeconds, 0.001))) + "/s";
        Err.MarkupLineInterpolated($"Uploaded {Sizes.Format(file.Length)} ({Sizes.Format(result.BytesSent)} sent now at {rate}, {Sizes.Format(result.BytesResumed)} sent before) as {journal.UploadId}.");
        return (journal, result.Checksum);
    }
}

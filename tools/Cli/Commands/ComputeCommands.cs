namespace Stratum.Cli.Commands;

/// <summary>Where a new disk's data comes from: an image, a family's latest image (resolved by the server) or a snapshot; a disk of its own may have none (empty).</summary>
internal class DiskSourceSettings : GlobalSettings
{
    [CommandOption("--name <NAME>")] public string? Name { get; init; }
    [CommandOption("--source-image <ID>")] public string? SourceImage { get; init; }
    [CommandOption("--source-family <FAMILY>")][Description("The family's latest image, resolved by the server.")] public string? SourceFamily { get; init; }
    [CommandOption("--source-folder-id <ID>")][Description("The folder of --source-family (default: --folder-id); e.g. standard-images.")] public string? SourceFolderId { get; init; }
    [CommandOption("--source-snapshot <ID>")] public string? SourceSnapshot { get; init; }
    [CommandOption("--async")] public bool Async { get; init; }

    protected virtual int SourceCount => new[] { SourceImage, SourceFamily, SourceSnapshot }.Count(s => s is not null);

    public override ValidationResult Validate() => SourceCount == 1
        ? base.Validate()
        : ValidationResult.Error("Give exactly one source: --source-image, --source-family or --source-snapshot.");

    /// <summary>The global options' checks alone, for a command whose source rule differs.</summary>
    protected ValidationResult ValidateGlobal() => base.Validate();

    public JsonObject DiskSpec(string size, string folderId)
    {
        var spec = new JsonObject { ["size"] = size };
        Fields.Put(spec, "imageId", SourceImage);
        Fields.Put(spec, "snapshotId", SourceSnapshot);
        if (SourceFamily is not null)
        {
            spec["family"] = new JsonObject { ["folderId"] = SourceFolderId ?? folderId, ["name"] = SourceFamily };
        }
        return spec;
    }
}

internal sealed class DiskCreateSettings : DiskSourceSettings
{
    [CommandOption("--size <SIZE>")][Description("e.g. 10G.")] public string? Size { get; init; }

    // Without a source the disk is empty, as the API makes it: a data disk.
    public override ValidationResult Validate() => Size is null ? ValidationResult.Error("--size is required.")
        : SourceCount > 1 ? ValidationResult.Error("Give at most one source: --source-image, --source-family or --source-snapshot (none: an empty disk).")
        : ValidateGlobal();
}

[Description("Create a disk from an image, a family or a snapshot, or an empty one.")]
internal sealed class DiskCreateCommand(CliEnvironment environment) : ApiCommand<DiskCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, DiskCreateSettings settings, CancellationToken cancellation)
    {
        var folderId = FolderId(settings);
        var body = settings.DiskSpec(Bytes(settings.Size!, "--size"), folderId);
        body["folderId"] = folderId;
        Fields.Put(body, "name", settings.Name);
        using var api = Api(settings);
        return await MutateAsync(settings, api, api.PostAsync(Disks.Path, body, cancellation), settings.Async, $"Creating disk {settings.Name}", cancellation);
    }

    internal static string Bytes(string size, string option) => Sizes.Parse(size, option).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class SnapshotCreateSettings : GlobalSettings
{
    [CommandOption("--disk-id <ID>")] public string? DiskId { get; init; }
    [CommandOption("--name <NAME>")] public string? Name { get; init; }
    [CommandOption("--async")] public bool Async { get; init; }

    public override ValidationResult Validate() => DiskId is null ? ValidationResult.Error("--disk-id is required.") : base.Validate();
}

[Description("Snapshot a disk.")]
internal sealed class SnapshotCreateCommand(CliEnvironment environment) : ApiCommand<SnapshotCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, SnapshotCreateSettings settings, CancellationToken cancellation)
    {
        var body = new JsonObject { ["folderId"] = FolderId(settings), ["diskId"] = settings.DiskId };
        Fields.Put(body, "name", settings.Name);
        using var api = Api(settings);
        return await MutateAsync(settings, api, api.PostAsync(Snapshots.Path, body, cancellation), settings.Async, $"Snapshotting disk {settings.DiskId}", cancellation);
    }
}

internal class InstanceCreateSettings : DiskSourceSettings
{
    [CommandOption("--boot-disk-size <SIZE>")][Description("The new boot disk's size, e.g. 10G.")] public string? BootDiskSize { get; init; }
    [CommandOption("--boot-disk-id <ID>")][Description("Boot from an existing disk instead of a new one.")] public string? BootDiskId { get; init; }
    [CommandOption("--keep-boot-disk")][Description("Keep the boot disk when the instance is deleted.")] public bool KeepBootDisk { get; init; }

    protected override int SourceCount => base.SourceCount + (BootDiskId is null ? 0 : 1);

    public override ValidationResult Validate()
    {
        if (BootDiskId is null && BootDiskSize is null)
        {
            return ValidationResult.Error("--boot-disk-size is required (or boot from --boot-disk-id).");
        }
        return SourceCount == 1 ? base.Validate() : ValidationResult.Error("Give exactly one boot source: --source-image, --source-family, --source-snapshot or --boot-disk-id.");
    }

    public JsonObject BootDiskSpec(string folderId)
    {
        var spec = new JsonObject { ["autoDelete"] = !KeepBootDisk };
        if (BootDiskId is not null)
        {
            spec["diskId"] = BootDiskId;
        }
        else
        {
            spec["diskSpec"] = DiskSpec(DiskCreateCommand.Bytes(BootDiskSize!, "--boot-disk-size"), folderId);
        }
        return spec;
    }
}

[Description("Create an instance with a boot disk from an image, a family's latest, a snapshot or an existing disk.")]
internal sealed class InstanceCreateCommand(CliEnvironment environment) : ApiCommand<InstanceCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, InstanceCreateSettings settings, CancellationToken cancellation)
    {
        var folderId = FolderId(settings);
        var body = new JsonObject { ["folderId"] = folderId, ["bootDiskSpec"] = settings.BootDiskSpec(folderId) };
        Fields.Put(body, "name", settings.Name);
        using var api = Api(settings);
        return await MutateAsync(settings, api, api.PostAsync(Instances.Path, body, cancellation), settings.Async, $"Creating instance {settings.Name}", cancellation);
    }
}

namespace Stratum.Cli.Commands;

internal sealed class ImageUpdateSettings : DeleteSettings
{
    [CommandOption("--name <NAME>")]
    public string? Name { get; init; }

    [CommandOption("--description <TEXT>")]
    public string? Description { get; init; }

    [CommandOption("--min-disk-size <SIZE>")]
    public string? MinDiskSize { get; init; }

    [CommandOption("--label <KEY=VALUE>")]
    [Description("Replaces all labels; repeat for several.")]
    public string[]? Labels { get; init; }
}

[Description("Change an image's name, description, minimum disk size or labels.")]
internal sealed class ImageUpdateCommand(CliEnvironment environment) : ApiCommand<ImageUpdateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ImageUpdateSettings settings, CancellationToken cancellation)
    {
        var body = new JsonObject();
        Fields.Put(body, "name", settings.Name);
        Fields.Put(body, "description", settings.Description);
        Fields.PutSize(body, "minDiskSize", settings.MinDiskSize, "--min-disk-size");
        Fields.PutLabels(body, settings.Labels);
        if (body.Count == 0)
        {
            throw new UsageException("Nothing to update: give --name, --description, --min-disk-size or --label.");
        }
        using var api = Api(settings);
        return await MutateAsync(settings, api, api.PatchAsync($"{Images.Path}/{settings.Id}", body, cancellation), settings.Async, $"Updating image {settings.Id}", cancellation);
    }
}

internal sealed class DeprecateSettings : DeleteSettings
{
    [CommandOption("--state <STATE>")]
    [Description("active, deprecated or obsolete.")]
    public string State { get; init; } = "deprecated";

    [CommandOption("--replacement <IMAGE_ID>")]
    public string? Replacement { get; init; }

    public override ValidationResult Validate() => State.ToLowerInvariant() is "active" or "deprecated" or "obsolete"
        ? base.Validate()
        : ValidationResult.Error($"--state must be active, deprecated or obsolete, not '{State}'.");
}

[Description("Deprecate an image (or make it active again): latest skips deprecated and obsolete images.")]
internal sealed class ImageDeprecateCommand(CliEnvironment environment) : ApiCommand<DeprecateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, DeprecateSettings settings, CancellationToken cancellation)
    {
        var body = new JsonObject { ["state"] = settings.State.ToUpperInvariant() };
        Fields.Put(body, "replacement", settings.Replacement);
        using var api = Api(settings);
        return await MutateAsync(settings, api, api.PostAsync($"{Images.Path}/{settings.Id}:deprecate", body, cancellation), settings.Async, $"Deprecating image {settings.Id}", cancellation);
    }
}

[Description("The folder's image families.")]
internal sealed class FamiliesCommand(CliEnvironment environment) : ApiCommand<ListSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        PrintList(settings, await api.GetAsync("/compute/v1/families" + settings.Query(FolderId(settings)), cancellation), "families", "name", "latestImageId", "imageCount");
        return ExitCodes.Ok;
    }
}

internal class FamilySettings : GlobalSettings
{
    [CommandArgument(0, "<FAMILY>")]
    public string Family { get; init; } = "";
}

[Description("The newest READY, ACTIVE image of a family.")]
internal sealed class LatestFromFamilyCommand(CliEnvironment environment) : ApiCommand<FamilySettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, FamilySettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        Print(settings, await api.GetAsync($"/compute/v1/images:latestByFamily?folderId={Uri.EscapeDataString(FolderId(settings))}&family={Uri.EscapeDataString(settings.Family)}", cancellation));
        return ExitCodes.Ok;
    }
}

[Description("Wait for an operation to finish and print its result.")]
internal sealed class OperationWaitCommand(CliEnvironment environment) : ApiCommand<IdSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, IdSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var done = await WaitWithSpinnerAsync(api, await api.GetAsync($"/operations/{settings.Id}", cancellation), $"Waiting for {settings.Id}", cancellation);
        if (settings.Json)
        {
            Output.Json(Out, done);
            return done["error"] is null ? ExitCodes.Ok : ExitCodes.Refused;
        }
        Print(settings, StratumApi.ResponseOf(done));
        return ExitCodes.Ok;
    }
}

/// <summary>Request fields from options.</summary>
internal static class Fields
{
    public static void Put(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    public static void PutSize(JsonObject body, string name, string? value, string option)
    {
        if (value is not null)
        {
            body[name] = Sizes.Parse(value, option).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public static void PutLabels(JsonObject body, string[]? labels)
    {
        if (labels is null)
        {
            return;
        }
        var json = new JsonObject();
        foreach (var label in labels)
        {
            var equals = label.IndexOf('=');
            if (equals <= 0)
            {
                throw new UsageException($"--label '{label}' must be KEY=VALUE.");
            }
            json[label[..equals]] = label[(equals + 1)..];
        }
        body["labels"] = json;
    }
}

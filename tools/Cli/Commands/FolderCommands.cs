namespace Stratum.Cli.Commands;

internal sealed class FolderCreateSettings : GlobalSettings
{
    [CommandOption("--name <NAME>")]
    public string? Name { get; init; }

    [CommandOption("--description <TEXT>")]
    public string? Description { get; init; }

    [CommandOption("--async")]
    public bool Async { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        Name is null ? Spectre.Console.ValidationResult.Error("--name is required.") : base.Validate();
}

[Description("Create a folder (platform admins).")]
internal sealed class FolderCreateCommand(CliEnvironment environment) : ApiCommand<FolderCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, FolderCreateSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var body = new JsonObject { ["name"] = settings.Name };
        if (settings.Description is not null)
        {
            body["description"] = settings.Description;
        }
        return await MutateAsync(settings, api, api.PostAsync(Folders.Path, body, cancellation), settings.Async, $"Creating folder {settings.Name}", cancellation);
    }
}

[Description("A folder's quotas: limits and usage.")]
internal sealed class QuotaListCommand(CliEnvironment environment) : ApiCommand<GlobalSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        PrintList(settings, await api.GetAsync($"/compute/v1/folders/{FolderId(settings)}/quotas", cancellation), "quotas", "name", "limit", "usage");
        return ExitCodes.Ok;
    }
}

internal sealed class QuotaSetSettings : GlobalSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("e.g. compute.images.size or compute.instances.count.")]
    public string Name { get; init; } = "";

    [CommandArgument(1, "<LIMIT>")]
    [Description("A count, or a size for the .size quotas (2T, 500G).")]
    public string Limit { get; init; } = "";
}

[Description("Set a quota's limit (platform admins).")]
internal sealed class QuotaSetCommand(CliEnvironment environment) : ApiCommand<QuotaSetSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, QuotaSetSettings settings, CancellationToken cancellation)
    {
        var limit = settings.Limit == "0" ? 0 : Sizes.Parse(settings.Limit, "LIMIT");
        using var api = Api(settings);
        var body = new JsonObject { ["quotas"] = new JsonArray(new JsonObject { ["name"] = settings.Name, ["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) }) };
        PrintList(settings, await api.PatchAsync($"/compute/v1/folders/{FolderId(settings)}/quotas", body, cancellation), "quotas", "name", "limit", "usage");
        return ExitCodes.Ok;
    }
}

namespace Stratum.Cli.Commands;

internal class IdSettings : GlobalSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The resource's id.")]
    public string Id { get; init; } = "";

    // No id has a ':': in a path it would call a method of the resource (img…:listAccessBindings). An empty
    // one (an unset shell variable) would name the collection instead: `image get ""` listed a folder's images.
    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Id) ? ValidationResult.Error("The id is empty: give the resource's id.")
        : Id.Contains(':', StringComparison.Ordinal) ? ValidationResult.Error($"'{TerminalText.Safe(Id)}' is not an id: ids never contain ':'.")
        : base.Validate();
}

internal class DeleteSettings : IdSettings
{
    [CommandOption("--async")]
    [Description("Print the operation and return without waiting for it.")]
    public bool Async { get; init; }
}

internal class ListSettings : GlobalSettings
{
    [CommandOption("--page-size <N>")]
    [Description("Items per page (default 100, at most 1000).")]
    public int? PageSize { get; init; }

    [CommandOption("--page-token <TOKEN>")]
    public string? PageToken { get; init; }

    [CommandOption("--filter <EXPR>")]
    [Description("e.g. \"status = 'READY' AND family = 'web'\".")]
    public string? Filter { get; init; }

    [CommandOption("--order-by <ORDER>")]
    [Description("e.g. \"createdAt desc\".")]
    public string? OrderBy { get; init; }

    public string Query(string? folderId)
    {
        var parts = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                parts.Add($"{name}={Uri.EscapeDataString(value.ToString()!)}");
            }
        }
        Add("folderId", folderId);
        Add("pageSize", PageSize);
        Add("pageToken", PageToken);
        Add("filter", Filter);
        Add("orderBy", OrderBy);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

[Description("Show one resource.")]
internal sealed class GetCommand<TKind>(CliEnvironment environment) : ApiCommand<IdSettings>(environment) where TKind : IResourceKind
{
    public override async Task<int> ExecuteAsync(CommandContext context, IdSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        Print(settings, await api.GetAsync($"{TKind.Path}/{Uri.EscapeDataString(settings.Id)}", cancellation));
        return ExitCodes.Ok;
    }
}

[Description("List resources (of the folder, where they live in one).")]
internal sealed class ListCommand<TKind>(CliEnvironment environment) : ApiCommand<ListSettings>(environment) where TKind : IResourceKind
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var page = await api.GetAsync(TKind.Path + settings.Query(TKind.InFolder ? FolderId(settings) : null), cancellation);
        PrintList(settings, page, TKind.Plural, TKind.Columns);
        return ExitCodes.Ok;
    }
}

[Description("Delete a resource (waits for the operation unless --async).")]
internal sealed class DeleteCommand<TKind>(CliEnvironment environment) : ApiCommand<DeleteSettings>(environment) where TKind : IResourceKind
{
    public override async Task<int> ExecuteAsync(CommandContext context, DeleteSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var operation = await api.DeleteAsync($"{TKind.Path}/{Uri.EscapeDataString(settings.Id)}", cancellation);
        if (settings.Async)
        {
            Print(settings, operation, "operation");
            return ExitCodes.Ok;
        }
        var done = await WaitWithSpinnerAsync(api, operation, $"Deleting {TKind.Noun} {settings.Id}", cancellation);
        StratumApi.ResponseOf(done);
        if (settings.Json)
        {
            Output.Json(Out, done);
        }
        else
        {
            Out.MarkupLineInterpolated($"Deleted {TKind.Noun} [bold]{settings.Id}[/].");
        }
        return ExitCodes.Ok;
    }
}

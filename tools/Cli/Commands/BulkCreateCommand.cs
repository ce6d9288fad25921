namespace Stratum.Cli.Commands;

internal sealed class BulkCreateSettings : InstanceCreateSettings
{
    [CommandOption("--count <N>")] public int Count { get; init; }
    [CommandOption("--name-prefix <PREFIX>")][Description("Instances are named PREFIX-1 … PREFIX-N.")] public string? NamePrefix { get; init; }

    public override ValidationResult Validate()
    {
        if (Count < 1)
        {
            return ValidationResult.Error("--count must be at least 1.");
        }
        if (Name is not null)
        {
            // Inherited from `instance create`; accepting it would name nothing, silently.
            return ValidationResult.Error("--name does not apply to bulk-create: the instances are named PREFIX-1 … PREFIX-N after --name-prefix.");
        }
        return NamePrefix is null ? ValidationResult.Error("--name-prefix is required.") : base.Validate();
    }
}

[Description("Create many instances in one operation, with a live count of those created; reports every instance.")]
internal sealed class BulkCreateCommand(CliEnvironment environment) : ApiCommand<BulkCreateSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, BulkCreateSettings settings, CancellationToken cancellation)
    {
        var folderId = FolderId(settings);
        var body = new JsonObject
        {
            ["folderId"] = folderId, ["count"] = settings.Count, ["namePrefix"] = settings.NamePrefix, ["bootDiskSpec"] = settings.BootDiskSpec(folderId),
        };
        using var api = Api(settings);
        if (settings.Async)
        {
            Print(settings, await api.PostAsync(Instances.Path + ":bulkCreate", body, cancellation, Guid.NewGuid().ToString("N")), "operation");
            return ExitCodes.Ok;
        }
        var before = await CountAsync(api, folderId, settings.NamePrefix!, cancellation);
        // One request creates them all; meanwhile the folder's list shows them appearing.
        var done = await Err.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new ElapsedTimeColumn(), new SpinnerColumn()).StartAsync(async progress =>
        {
            var task = progress.AddTask($"Creating {settings.Count} instances", maxValue: settings.Count);
            var create = api.PostAsync(Instances.Path + ":bulkCreate", body, cancellation, Guid.NewGuid().ToString("N"));
            while (!create.IsCompleted)
            {
                await Task.WhenAny(create, Task.Delay(300, cancellation));
                if (!create.IsCompleted)
                {
                    task.Value = Math.Min(settings.Count, await CountAsync(api, folderId, settings.NamePrefix!, cancellation) - before);
                }
            }
            var operation = await api.WaitAsync(await create, cancellation);
            task.Value = operation["response"]?["instances"]?.AsArray().Count ?? task.Value;
            return operation;
        });
        var result = StratumApi.ResponseOf(done);
        var failures = result["failures"]?.AsArray() ?? [];
        Err.MarkupLineInterpolated($"Created {result["instances"]?.AsArray().Count ?? 0} of {settings.Count} instances.");
        if (settings.Json)
        {
            Output.Json(Out, result);
        }
        else
        {
            Output.Table(Out, result["instances"]?.AsArray() ?? [], Instances.Columns);
            if (failures.Count > 0)
            {
                Output.Table(Out, failures, ["name", "error.code", "error.message"]);
            }
        }
        if (failures.Count > 0)
        {
            Err.MarkupLineInterpolated($"[red]ERROR[/] {failures.Count} of {settings.Count} instances were not created.");
            return ExitCodes.Refused;
        }
        return ExitCodes.Ok;
    }

    /// <summary>How many instances named PREFIX-N the folder holds (pages of 1000).</summary>
    private static async Task<int> CountAsync(StratumApi api, string folderId, string prefix, CancellationToken cancellation)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await api.GetAsync($"{Instances.Path}?folderId={Uri.EscapeDataString(folderId)}&pageSize=1000" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}"), cancellation);
            count += page["instances"]?.AsArray().Count(i => i?["name"]?.GetValue<string>() is { } name && name.StartsWith(prefix + "-", StringComparison.Ordinal)) ?? 0;
            token = page["nextPageToken"]?.GetValue<string>();
        }
        while (token is not null);
        return count;
    }
}

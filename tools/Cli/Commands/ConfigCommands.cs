namespace Stratum.Cli.Commands;

internal sealed class ConfigSetSettings : GlobalSettings
{
    [CommandArgument(0, "<KEY>")]
    [Description("endpoint, token or folder-id.")]
    public string Key { get; init; } = "";

    [CommandArgument(1, "<VALUE>")]
    public string Value { get; init; } = "";
}

[Description("Store a setting in the config file.")]
internal sealed class ConfigSetCommand(CliEnvironment environment) : ApiCommand<ConfigSetSettings>(environment)
{
    public override Task<int> ExecuteAsync(CommandContext context, ConfigSetSettings settings, CancellationToken cancellation)
    {
        if (settings.Key == "endpoint" && !Uri.TryCreate(settings.Value, UriKind.Absolute, out _))
        {
            throw new UsageException($"endpoint '{settings.Value}' is not an absolute URL.");
        }
        Config.Set(settings.Key, settings.Value);
        if (settings.Json)
        {
            Output.Json(Out, new JsonObject { ["key"] = settings.Key, ["file"] = Config.Location });
        }
        else
        {
            Out.MarkupLineInterpolated($"Set [bold]{settings.Key}[/] in {Config.Location}.");
        }
        return Task.FromResult(ExitCodes.Ok);
    }
}

[Description("Show the settings in effect and where each comes from (the token is masked).")]
internal sealed class ConfigListCommand(CliEnvironment environment) : ApiCommand<GlobalSettings>(environment)
{
    public override Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellation)
    {
        var flags = new Dictionary<string, string?> { ["endpoint"] = settings.Endpoint, ["token"] = settings.Token, ["folder-id"] = settings.FolderId };
        var rows = CliConfig.Keys.Select(key =>
        {
            var (value, source) = Config.Resolve(key, flags[key]);
            return (Key: key, Value: key == "token" && value is not null ? Mask(value) : value, Source: source);
        }).ToList();
        if (settings.Json)
        {
            var json = new JsonObject();
            foreach (var row in rows)
            {
                json[row.Key] = new JsonObject { ["value"] = row.Value, ["source"] = row.Source };
            }
            Output.Json(Out, json);
            return Task.FromResult(ExitCodes.Ok);
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("setting", "value", "from");
        foreach (var row in rows)
        {
            table.AddRow(new Text(row.Key), new Text(row.Value ?? ""), new Text(row.Source));
        }
        Out.Write(table);
        Out.MarkupLineInterpolated($"[grey]config file: {Config.Location}[/]");
        return Task.FromResult(ExitCodes.Ok);
    }

    private static string Mask(string token) => token.Length <= 8 ? new string('*', token.Length) : token[..4] + new string('*', token.Length - 4);
}

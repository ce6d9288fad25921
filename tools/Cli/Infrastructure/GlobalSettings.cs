namespace Stratum.Cli.Infrastructure;

/// <summary>Options every command takes.</summary>
internal class GlobalSettings : CommandSettings
{
    [CommandOption("--endpoint <URL>")]
    [Description("The gateway (default: config, STRATUM_ENDPOINT, then http://127.0.0.1:8080).")]
    public string? Endpoint { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("Bearer token (default: config or STRATUM_TOKEN).")]
    public string? Token { get; init; }

    [CommandOption("--folder-id <ID>")]
    [Description("The folder to work in (default: config or STRATUM_FOLDER_ID).")]
    public string? FolderId { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("text (tables) or json (what the API returns, for scripts).")]
    [DefaultValue("text")]
    public string Format { get; init; } = "text";

    public bool Json => Format == "json";

    public override ValidationResult Validate() =>
        Format is "text" or "json" ? ValidationResult.Success() : ValidationResult.Error($"--format must be text or json, not '{Format}'.");
}

namespace Stratum.Cli.Commands;

internal sealed class WatchSettings : FamilySettings
{
    [CommandOption("--max-events <N>")]
    [Description("Stop after N changes (default: watch until Ctrl+C).")]
    public int? MaxEvents { get; init; }
}

[Description("Follow a family's latest image as it changes (server-sent events; reconnects where it left off).")]
internal sealed class WatchFamilyCommand(CliEnvironment environment) : ApiCommand<WatchSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, WatchSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var path = $"/compute/v1/images:watchFamily?folderId={Uri.EscapeDataString(FolderId(settings))}&family={Uri.EscapeDataString(settings.Family)}";
        string? lastId = null;
        var seen = 0;
        while (!cancellation.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (lastId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastId);
            }
            using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                // The refusal comes as the contract's error body: let the API client raise it.
                await api.GetAsync(path, cancellation);
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
            string? id = null, kind = null, data = null;
            while (await reader.ReadLineAsync(cancellation) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null && Show(settings, kind ?? "message", JsonNode.Parse(data)!))
                    {
                        lastId = id ?? lastId;
                        if (++seen == settings.MaxEvents)
                        {
                            return ExitCodes.Ok;
                        }
                    }
                    (id, kind, data) = (null, null, null);
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal)) { id = line[3..].Trim(); }
                else if (line.StartsWith("event:", StringComparison.Ordinal)) { kind = line[6..].Trim(); }
                else if (line.StartsWith("data:", StringComparison.Ordinal)) { data = (data is null ? "" : data + "\n") + line[5..].TrimStart(); }
            }
            Err.MarkupLine("[grey]stream ended; reconnecting…[/]");
        }
        return ExitCodes.Ok;
    }

    /// <summary>Prints one event; an error event (access revoked) ends the command with its code.</summary>
    private bool Show(WatchSettings settings, string kind, JsonNode data)
    {
        if (kind == "error")
        {
            throw new ApiException(data["code"]?.GetValue<int>() ?? 0, data["message"]?.GetValue<string>() ?? "");
        }
        if (settings.Json)
        {
            Out.Profile.Out.Writer.WriteLine(data.ToJsonString());
            return true;
        }
        var image = data["image"];
        if (image is null)
        {
            Out.MarkupLineInterpolated($"[grey]{DateTime.Now:T}[/] revision {data["revision"]}: no READY, ACTIVE image");
        }
        else
        {
            Out.MarkupLineInterpolated($"[grey]{DateTime.Now:T}[/] revision {data["revision"]}: [bold]{image["id"]}[/] {TerminalText.Safe(image["name"]?.ToString() ?? "")} ({image["status"]})");
        }
        return true;
    }
}

namespace Stratum.Cli.Infrastructure;

/// <summary>
/// A command that talks to the API: resolves endpoint, token and folder (flag, environment,
/// config file), and prints results as tables or as the API's JSON.
/// </summary>
internal abstract class ApiCommand<TSettings>(CliEnvironment environment) : AsyncCommand<TSettings> where TSettings : GlobalSettings
{
    protected CliEnvironment Environment { get; } = environment;

    protected IAnsiConsole Out => Environment.Out;

    protected IAnsiConsole Err => Environment.Err;

    protected CliConfig Config => new(Environment);

    protected StratumApi Api(TSettings settings)
    {
        var endpoint = Config.Resolve("endpoint", settings.Endpoint).Value!;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"The endpoint '{endpoint}' is not an http(s) URL.");
        }
        return new StratumApi(uri, Config.Resolve("token", settings.Token).Value, Environment.Handler());
    }

    protected string FolderId(TSettings settings) => Config.Resolve("folder-id", settings.FolderId).Value
        ?? throw new UsageException("No folder: pass --folder-id, set STRATUM_FOLDER_ID, or run `stratum config set folder-id ID`.");

    protected void Print(TSettings settings, JsonNode node, string? title = null)
    {
        if (settings.Json)
        {
            Output.Json(Out, node);
        }
        else
        {
            Output.Resource(Out, node, title);
        }
    }

    protected void PrintList(TSettings settings, JsonNode page, string plural, params string[] columns)
    {
        if (settings.Json)
        {
            Output.Json(Out, page);
        }
        else
        {
            Output.Table(Out, page[plural]?.AsArray() ?? [], columns);
            if (page["nextPageToken"]?.GetValue<string>() is { Length: > 0 } token)
            {
                Err.MarkupLineInterpolated($"[grey]More: --page-token {token}[/]");
            }
        }
    }

    /// <summary>Runs a mutation: with --async prints the operation; else waits for it (a spinner on stderr) and prints its resource.</summary>
    protected async Task<int> MutateAsync(TSettings settings, StratumApi api, Task<JsonNode> start, bool async, string what, CancellationToken cancellation)
    {
        var operation = await start;
        if (async)
        {
            Print(settings, operation, "operation");
            return ExitCodes.Ok;
        }
        var done = await WaitWithSpinnerAsync(api, operation, what, cancellation);
        var response = StratumApi.ResponseOf(done);
        Print(settings, response);
        return ExitCodes.Ok;
    }

    /// <summary>A progress display for moving bytes, on stderr: bar, percentage, bytes, rate, time left.</summary>
    protected Progress TransferProgress() => Err.Progress().AutoClear(false).HideCompleted(false).Columns(
        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
        new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    protected async Task<JsonNode> WaitWithSpinnerAsync(StratumApi api, JsonNode operation, string what, CancellationToken cancellation,
        Func<JsonNode, Task<string>>? describe = null)
    {
        if (operation["done"]?.GetValue<bool>() == true)
        {
            return operation;
        }
        var started = DateTime.UtcNow;
        return await Err.Status().Spinner(Spinner.Known.Dots).StartAsync($"{Markup.Escape(what)}…", async status =>
        {
            var state = "";
            return await api.WaitAsync(operation, cancellation, async op =>
            {
                if (describe is not null)
                {
                    try
                    {
                        state = $": {await describe(op)}";
                    }
                    catch (ApiException)
                    {
                        // The detail (e.g. the image's status) is a nicety; the operation decides.
                    }
                }
                var elapsed = (DateTime.UtcNow - started).TotalSeconds;
                status.Status($"{Markup.Escape(what)}{Markup.Escape(state)} [grey]({elapsed:0} s)[/]");
            });
        });
    }
}

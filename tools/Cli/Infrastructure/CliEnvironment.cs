namespace Stratum.Cli.Infrastructure;

/// <summary>
/// What a run of the tool sees of the world: its consoles (results on stdout, progress and errors
/// on stderr), its environment variables and where its configuration lives. Tests pass their own.
/// </summary>
internal sealed class CliEnvironment(IAnsiConsole output, IAnsiConsole error, IReadOnlyDictionary<string, string> variables, string configDirectory)
{
    public IAnsiConsole Out { get; } = output;

    public IAnsiConsole Err { get; } = error;

    public IReadOnlyDictionary<string, string> Variables { get; } = variables;

    /// <summary>The folder of config.json and of the journals of unfinished uploads.</summary>
    public string ConfigDirectory { get; } = configDirectory;

    /// <summary>HTTP handler for the API and downloads; tests may count what passes.</summary>
    public Func<HttpMessageHandler> Handler { get; init; } = () => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    /// <summary>Columns a table may take when stdout is a file or a pipe: enough for any row of ids, names and dates.</summary>
    public const int UnwrappedWidth = 1000;

    public string? Variable(string name) => Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>The real process: stdout, stderr, the process environment, <c>$STRATUM_CONFIG_DIR</c> or the user's config folder.</summary>
    public static CliEnvironment FromProcess()
    {
        var variables = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        var directory = variables.GetValueOrDefault("STRATUM_CONFIG_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "stratum");
        // Progress and spinners live on stderr: live while stderr is a terminal, even when stdout goes to a file or a pipe.
        var error = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = Console.IsErrorRedirected ? InteractionSupport.No : InteractionSupport.Yes,
        });
        var output = AnsiConsole.Console;
        // Off a terminal there is no width to fit: the console would assume 80 columns and wrap every
        // table row over several lines (and an error message, padding each line with spaces), which
        // neither a reader of the file nor grep wants.
        if (Console.IsOutputRedirected)
        {
            output.Profile.Width = UnwrappedWidth;
        }
        if (Console.IsErrorRedirected)
        {
            error.Profile.Width = UnwrappedWidth;
        }
        return new CliEnvironment(output, error, variables, directory);
    }
}

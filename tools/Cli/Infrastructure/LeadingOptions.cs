namespace Stratum.Cli.Infrastructure;

/// <summary>
/// Global options given before the command (<c>stratum --format json image list</c>), as a provider's
/// CLI accepts them, moved after it: the command-line parser reads a command's options only after
/// its name, and would refuse them as unknown.
/// </summary>
internal static class LeadingOptions
{
    // The options of GlobalSettings; each takes one value (--format json, or --format=json).
    private static readonly HashSet<string> Global = new(StringComparer.Ordinal) { "--endpoint", "--token", "--folder-id", "--format" };

    /// <summary>
    /// The arguments with the global options that lead them moved to just before <c>--</c>, or to the
    /// end. A global option without its value, anywhere, is a <see cref="UsageException"/> naming it:
    /// the parser would take the next option as its value, or report a placeholder of its own.
    /// </summary>
    public static string[] MoveAfterCommand(string[] args)
    {
        var end = Array.IndexOf(args, "--") is var dashes and >= 0 ? dashes : args.Length;
        for (var i = 0; i < end; i++)
        {
            if (Global.Contains(args[i]) && (i + 1 >= end || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                throw new UsageException($"{args[i]} needs a value, as in {args[i]} {Example(args[i])}.");
            }
        }
        var leading = 0;
        while (leading < args.Length && Global.Contains(args[leading].Split('=', 2)[0]))
        {
            leading += args[leading].Contains('=', StringComparison.Ordinal) ? 1 : 2;
        }
        if (leading == 0)
        {
            return args;
        }
        if (leading >= end)
        {
            throw new UsageException("No command follows the options: stratum --help lists the commands.");
        }
        var rest = args[leading..];
        var restEnd = end - leading;
        return [.. rest[..restEnd], .. args[..leading], .. rest[restEnd..]];
    }

    private static string Example(string option) => option switch
    {
        "--endpoint" => "http://127.0.0.1:8080",
        "--token" => "dev-admin",
        "--folder-id" => "fld…",
        _ => "json",
    };
}

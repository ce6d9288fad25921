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

    /// <summary>The arguments with the global options that lead them moved to just before <c>--</c>, or to the end.</summary>
    public static string[] MoveAfterCommand(string[] args)
    {
        var leading = 0;
        while (leading < args.Length && Global.Contains(args[leading].Split('=', 2)[0]))
        {
            leading += args[leading].Contains('=', StringComparison.Ordinal) ? 1 : 2;
        }
        if (leading == 0 || leading >= args.Length)
        {
            return args;   // nothing leads, or nothing follows: the parser's own message says what is missing
        }
        var rest = args[leading..];
        var separator = Array.IndexOf(rest, "--");
        var end = separator < 0 ? rest.Length : separator;
        return [.. rest[..end], .. args[..leading], .. rest[end..]];
    }
}

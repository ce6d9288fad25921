using System.Reflection;

namespace Stratum.Cli.Infrastructure;

/// <summary>
/// Global options given before the command (<c>stratum --format json image list</c>), as a provider's
/// CLI accepts them, moved after it: the command-line parser reads a command's options only after
/// its name, and would refuse them as unknown.
/// </summary>
internal static class LeadingOptions
{
    // The options of GlobalSettings; each takes one value (--format json, or --format=json).
    private static readonly HashSet<string> Global = [.. ValueOptions([typeof(GlobalSettings)]).Select(option => option.Name)];

    // Every command's options that take a value (--description <TEXT>), by their long names. Given
    // last, the parser set such an option to a placeholder of its own ("__default_command"), which a
    // create then stored as the resource's description.
    private static readonly Dictionary<string, string> WithValue = ValueOptions(typeof(LeadingOptions).Assembly.GetTypes())
        .DistinctBy(option => option.Name)
        .ToDictionary(option => option.Name, option => option.ValueName, StringComparer.Ordinal);

    /// <summary>The long names ("--format") and value names ("FORMAT") of the options the types declare that take a value.</summary>
    private static IEnumerable<(string Name, string ValueName)> ValueOptions(IEnumerable<Type> types) => types
        .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Select(property => property.GetCustomAttribute<CommandOptionAttribute>())
        .OfType<CommandOptionAttribute>()
        .Where(option => option.ValueName is not null)
        .SelectMany(option => option.LongNames.Select(name => ("--" + name, option.ValueName!)));

    /// <summary>
    /// The arguments with the global options that lead them moved to just before <c>--</c>, or to the
    /// end. An option that takes a value given without one, anywhere, is a <see cref="UsageException"/>
    /// naming it: the parser would take the next option as its value, or use a placeholder of its own.
    /// </summary>
    public static string[] MoveAfterCommand(string[] args)
    {
        var end = Array.IndexOf(args, "--") is var dashes and >= 0 ? dashes : args.Length;
        for (var i = 0; i < end; i++)
        {
            if (WithValue.TryGetValue(args[i], out var value) && (i + 1 >= end || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                throw new UsageException($"{args[i]} needs a value, as in {args[i]} {Example(args[i], value)}.");
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

    private static string Example(string option, string valueName) => option switch
    {
        "--endpoint" => "http://127.0.0.1:8080",
        "--token" => "dev-admin",
        "--folder-id" => "fld…",
        "--format" => "json",
        _ => $"<{valueName}>",
    };
}

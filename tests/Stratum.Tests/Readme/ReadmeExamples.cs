using System.Text;
using System.Text.RegularExpressions;

namespace Stratum.Tests.Readme;

/// <summary>
/// The README's runnable examples: the ```sh blocks between <c>&lt;!-- readme-examples:begin --&gt;</c>
/// and <c>&lt;!-- readme-examples:end --&gt;</c> (markers a rendered README does not show). Each
/// <c>curl</c> command (its <c>\</c> continuations joined) is a step; a <c># -&gt; …</c> line right
/// after it is the documented result. Ids are written as a reader meets them: <c>fld…</c>,
/// <c>img…</c>, <c>lyr…</c>, <c>opr…</c> stand for the id of that kind an earlier result showed at
/// that place; any other <c>…</c> elides text.
/// </summary>
public static partial class ReadmeExamples
{
    public const string Begin = "<!-- readme-examples:begin -->";
    public const string End = "<!-- readme-examples:end -->";

    /// <summary>The kinds of ids an example may carry from one step to the next.</summary>
    public static readonly IReadOnlyList<string> IdKinds = ["fld", "img", "lyr", "opr", "dsk", "ins"];

    /// <summary>One command and what the README says it answers.</summary>
    /// <param name="Command">The curl line, continuations joined.</param>
    /// <param name="Status">The HTTP status documented before the body (<c># -&gt; 404 {…}</c>); 200 when none is.</param>
    /// <param name="Expected">The documented result, if the README shows one.</param>
    /// <param name="Line">Where the command starts in README.md, for messages.</param>
    public sealed record Step(string Command, int Status, string? Expected, int Line)
    {
        /// <summary>A GET (no <c>-X</c>): safe to repeat until the documented result shows, as a reader polls an operation.</summary>
        public bool IsRead => !Command.Contains(" -X ", StringComparison.Ordinal);
        public bool IsStream => Command.Contains(" -sN ", StringComparison.Ordinal);
        public override string ToString() => $"README line {Line}: {Command}";
    }

    /// <summary>The steps, and every other command line of the marked blocks (set-up a test stands in for).</summary>
    public static (IReadOnlyList<Step> Steps, IReadOnlyList<string> Others) Parse(string markdown)
    {
        var steps = new List<Step>();
        var others = new List<string>();
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        bool inRegion = false, inBlock = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim() == Begin) { inRegion = true; continue; }
            if (line.Trim() == End) { inRegion = false; continue; }
            if (!inRegion) { continue; }
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock && line.Trim() == "```sh";
                continue;
            }
            if (!inBlock || line.TrimStart().StartsWith('#') || line.Trim().Length == 0) { continue; }

            var number = i + 1;
            var command = new StringBuilder(line.Trim());
            while (command[^1] == '\\' && i + 1 < lines.Length)
            {
                command.Length--;
                command.Append(' ').Append(lines[++i].Trim());
            }
            var text = WithoutComment(command.ToString());
            if (!text.StartsWith("curl ", StringComparison.Ordinal))
            {
                others.Add(text);
                continue;
            }
            var (status, expected) = i + 1 < lines.Length ? ParseExpected(lines[i + 1]) : (200, null);
            steps.Add(new Step(text, status, expected, number));
        }
        return (steps, others);
    }

    private static (int Status, string? Expected) ParseExpected(string line)
    {
        var trimmed = line.Trim();
        if (!trimmed.StartsWith("# -> ", StringComparison.Ordinal)) { return (200, null); }
        var body = trimmed["# -> ".Length..];
        var status = StatusPrefix().Match(body);
        return status.Success ? (int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), body[status.Length..]) : (200, body);
    }

    /// <summary>A command without a trailing <c>  # comment</c> (outside quotes).</summary>
    private static string WithoutComment(string command)
    {
        var quote = '\0';
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote != '\0') { if (c == quote) { quote = '\0'; } continue; }
            if (c is '\'' or '"') { quote = c; continue; }
            if (c == '#' && i > 0 && char.IsWhiteSpace(command[i - 1])) { return command[..i].TrimEnd(); }
        }
        return command;
    }

    /// <summary>
    /// Matches <paramref name="actual"/> against a documented result: whitespace runs are equal,
    /// <c>…</c> is any text, an id placeholder is an id of its kind (captured).
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Match(string expected, string actual)
    {
        var pattern = new StringBuilder("^");
        var kinds = new List<string>();
        foreach (var token in PlaceholderOrEllipsis().Split(Collapse(expected)))
        {
            if (token.Length == 0) { continue; }
            if (token == "…") { pattern.Append(".*?"); }
            else if (token.EndsWith('…') && IdKinds.Contains(token[..^1]))
            {
                pattern.Append($"({token[..^1]}[0-9a-z]+)");
                kinds.Add(token[..^1]);
            }
            else { pattern.Append(Regex.Escape(token).Replace("\\ ", "\\s*", StringComparison.Ordinal)); }
        }
        var match = Regex.Match(Collapse(actual), pattern.Append('$').ToString(), RegexOptions.Singleline);
        if (!match.Success) { return null; }
        var ids = new Dictionary<string, string>();
        for (var i = 0; i < kinds.Count; i++)
        {
            ids.TryAdd(kinds[i], match.Groups[i + 1].Value);
        }
        return ids;
    }

    /// <summary>Puts the ids earlier steps showed in place of the placeholders; null names the first kind not seen yet.</summary>
    public static (string? Command, string? Missing) Substitute(string command, IReadOnlyDictionary<string, string> ids)
    {
        foreach (var kind in IdKinds)
        {
            var placeholder = kind + "…";
            if (!command.Contains(placeholder, StringComparison.Ordinal)) { continue; }
            if (!ids.TryGetValue(kind, out var id)) { return (null, placeholder); }
            command = command.Replace(placeholder, id, StringComparison.Ordinal);
        }
        return command.Contains('…') ? (null, "…") : (command, null);
    }

    private static string Collapse(string text) => Whitespace().Replace(text.Trim(), " ");

    [GeneratedRegex(@"^(\d{3}) ")]
    private static partial Regex StatusPrefix();

    [GeneratedRegex(@"((?:fld|img|lyr|opr|dsk|ins)…|…)")]
    private static partial Regex PlaceholderOrEllipsis();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

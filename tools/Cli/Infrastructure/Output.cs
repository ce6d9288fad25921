using System.Text.Json;

namespace Stratum.Cli.Infrastructure;

/// <summary>How results look: the API's JSON as it came, or tables and name/value grids for people.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly HashSet<string> SizeFields = ["storageSize", "minDiskSize", "size", "diskSize", "limit", "usage"];

    public static void Json(IAnsiConsole console, JsonNode node) =>
        // Written as plain text: JSON must reach scripts unwrapped and without markup.
        console.Profile.Out.Writer.WriteLine(node.ToJsonString(Indented));

    public static void Resource(IAnsiConsole console, JsonNode node, string? title = null)
    {
        if (node is not JsonObject obj)
        {
            console.WriteLine(node.ToJsonString());
            return;
        }
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in obj)
        {
            grid.AddRow(new Markup($"[bold]{Markup.Escape(TerminalText.Safe(name))}[/]"), new Text(Show(name, value)));
        }
        if (title is not null)
        {
            console.MarkupLine($"[grey]{Markup.Escape(title)}[/]");
        }
        console.Write(grid);
    }

    public static void Table(IAnsiConsole console, JsonArray items, IReadOnlyList<string> columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            var header = new TableColumn(column.Replace(".", " ", StringComparison.Ordinal));
            table.AddColumn(column.EndsWith("id", StringComparison.OrdinalIgnoreCase) || column is "name" or "createdAt" ? header.NoWrap() : header);
        }
        foreach (var item in items)
        {
            table.AddRow(columns.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(Show(c, Path(item, c), inTable: true))).ToArray());
        }
        console.Write(table);
        console.MarkupLine($"[grey]{items.Count} item(s)[/]");
    }

    /// <summary>A field by dotted path (<c>bootDisk.diskId</c>).</summary>
    public static JsonNode? Path(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }
        return node;
    }

    private static string Show(string name, JsonNode? value, bool inTable = false)
    {
        var field = name[(name.LastIndexOf('.') + 1)..];
        return value switch
        {
            null => "",
            JsonValue v when SizeFields.Contains(field) && long.TryParse(v.ToString(), out var bytes) && bytes >= 1024 && !name.StartsWith("compute.", StringComparison.Ordinal)
                => inTable ? Sizes.Format(bytes) : $"{Sizes.Format(bytes)} ({bytes})",
            JsonValue v => TerminalText.Safe(v.ToString()),
            _ => value.ToJsonString(),
        };
    }
}

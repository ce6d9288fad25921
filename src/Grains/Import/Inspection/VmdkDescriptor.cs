using System.Text;

namespace Stratum.Import.Inspection;

/// <summary>
/// A VMDK descriptor: text lines of header fields (<c>createType="…"</c>), extents
/// (<c>RW 131072 SPARSE "disk.vmdk"</c>) and disk database entries (<c>ddb.…</c>). Parsed
/// cautiously: a line of any other shape makes the descriptor unreadable, and so refused.
/// </summary>
internal sealed record VmdkDescriptor(IReadOnlyDictionary<string, string> Fields, IReadOnlyList<VmdkExtent> Extents)
{
    private static readonly HashSet<string> Access = new(StringComparer.OrdinalIgnoreCase) { "RW", "RDONLY", "NOACCESS" };

    public string? CreateType => Fields.GetValueOrDefault("createtype");

    /// <summary>Parses the text up to its first NUL; null with <paramref name="problem"/> set when it is not a descriptor we can read.</summary>
    public static VmdkDescriptor? Parse(ReadOnlySpan<byte> bytes, out string? problem)
    {
        var end = bytes.IndexOf((byte)0);
        var text = end < 0 ? bytes : bytes[..end];
        foreach (var b in text)
        {
            if (b is not (>= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                problem = "the descriptor is not ASCII text";
                return null;
            }
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var extents = new List<VmdkExtent>();
        foreach (var raw in Encoding.ASCII.GetString(text).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var first = line.Split([' ', '\t'], 2)[0];
            if (Access.Contains(first))
            {
                if (VmdkExtent.Parse(line) is not { } extent)
                {
                    problem = $"it has an extent line it cannot read: {Quoted(line)}";
                    return null;
                }
                extents.Add(extent);
                continue;
            }
            var equals = line.IndexOf('=');
            var key = equals > 0 ? line[..equals].Trim() : "";
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_'))
            {
                problem = $"it has a line it cannot read: {Quoted(line)}";
                return null;
            }
            fields[key.ToLowerInvariant()] = line[(equals + 1)..].Trim().Trim('"');
        }
        problem = null;
        return new VmdkDescriptor(fields, extents);
    }

    /// <summary>Whether a file's first bytes are a descriptor on its own (qemu probes for a <c>version=</c> line after comments and blank lines).</summary>
    public static bool IsTextDescriptor(ReadOnlySpan<byte> head)
    {
        var text = head[..Math.Min(head.Length, 4096)];
        var end = text.IndexOf((byte)0);
        text = end < 0 ? text : text[..end];
        if (text.IsEmpty || text.IndexOfAnyExceptInRange((byte)0x09, (byte)0x7E) >= 0)
        {
            return false;
        }
        var content = Encoding.ASCII.GetString(text);
        var firstLine = content.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        return firstLine is not null && (firstLine.StartsWith("version=", StringComparison.Ordinal)
            || content.Contains("createType", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A descriptor's value quoted for a refusal, cut like every echoed value.</summary>
    internal static string Quoted(string text) => $"'{EchoedText.Shorten(text)}'";
}

/// <summary>One extent line: access, size in sectors, type, and the file it names.</summary>
internal sealed record VmdkExtent(string Access, long Sectors, string Type, string? File)
{
    public static VmdkExtent? Parse(string line)
    {
        var quote = line.IndexOf('"');
        var words = (quote < 0 ? line : line[..quote]).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 3 || !long.TryParse(words[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sectors))
        {
            return null;
        }
        string? file = null;
        if (quote >= 0)
        {
            var close = line.IndexOf('"', quote + 1);
            if (close < 0)
            {
                return null;
            }
            file = line[(quote + 1)..close];
        }
        return new VmdkExtent(words[0].ToUpperInvariant(), sectors, words[2].ToUpperInvariant(), file);
    }
}

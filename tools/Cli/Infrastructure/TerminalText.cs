using System.Globalization;
using System.Text;

namespace Stratum.Cli.Infrastructure;

/// <summary>
/// Text that came from the service (another tenant's description, an echoed id, an error message),
/// made safe to print: control characters (ESC, CR, LF, BEL, the C1 range) and the bidirectional
/// overrides are shown as <c>\u001b</c>-style escapes instead of being written, so a value can neither
/// drive the reader's terminal (clear it, recolour it, set its title) nor break a table row in two
/// nor reorder what is displayed. JSON output needs none of this: its writer escapes them itself.
/// </summary>
internal static class TerminalText
{
    public static string Safe(string text)
    {
        if (!text.AsSpan().ContainsAny(Unsafe))
        {
            return text;
        }
        var safe = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Unsafe.Contains(c))
            {
                safe.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                safe.Append(c);
            }
        }
        return safe.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), '\u007f', .. Enumerable.Range(0x80, 0x20).Select(i => (char)i),
         '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']);
}

namespace Stratum;

/// <summary>
/// How a value the caller sent is quoted back in an error message: whole when short, cut with an
/// ellipsis when long, so a 5,000-character id costs its reader 80 characters, not 5,000.
/// </summary>
internal static class EchoedText
{
    /// <summary>The characters an echoed value keeps unless a caller asks for another limit.</summary>
    public const int DefaultLength = 80;

    /// <summary>
    /// The text itself when it has at most <paramref name="max"/> UTF-16 units, else its first <paramref name="max"/> and "…";
    /// one fewer when the cut would split a surrogate pair, whose lone half a JSON answer could only escape.
    /// </summary>
    public static string Shorten(string text, int max = DefaultLength) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[max - 1]) ? max - 1 : max), "…");
}

namespace Stratum;

/// <summary>
/// How long a text is in the contract's "characters": Unicode scalar values (code points), as the
/// provider's API counts them, so an emoji is one character, not the two UTF-16 units .NET's
/// <see cref="string.Length"/> counts. A lone surrogate counts as one.
/// </summary>
internal static class TextLength
{
    public static int Characters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}

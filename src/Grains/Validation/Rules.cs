using System.Text.RegularExpressions;

namespace Stratum.Validation;

/// <summary>The contract's validation rules; each failure names the field and the rule.</summary>
public static partial class Rules
{
    public const int MaxDescription = 256;
    public const int MaxLabels = 64;
    public const long MinDiskSize = 4L << 20;
    public const long MaxDiskSize = 4L << 40;
    public const int MaxProductIds = 64;
    public const int MaxBindings = 1000;

    public static void Name(string? name, string field = "name")
    {
        if (name is not null && !NamePattern().IsMatch(name))
        {
            throw StratumException.Invalid($"{field} '{EchoedText.Shorten(name)}' is invalid: it must match [a-z]([-_a-z0-9]{{0,61}}[a-z0-9])?, 1 to 63 characters.");
        }
    }

    public static void Family(string? family, string field = "family")
    {
        if (family is not null && !FamilyPattern().IsMatch(family))
        {
            throw StratumException.Invalid($"{field} '{EchoedText.Shorten(family)}' is invalid: it must match [a-z][-a-z0-9]{{1,61}}[a-z0-9], 3 to 63 characters.");
        }
    }

    public static void Description(string? description, string field = "description")
    {
        // Only a text longer than the limit in UTF-16 units can be longer in characters.
        if (description is { Length: > MaxDescription } && TextLength.Characters(description) is var characters and > MaxDescription)
        {
            throw StratumException.Invalid($"{field} is {characters} characters long; at most {MaxDescription} are allowed.");
        }
        NoControlCharacters(description, field, allowLineBreaks: true);
    }

    /// <summary>
    /// Refuses control characters (C0, DEL, C1), but tab and line breaks where text may have lines: a NUL or
    /// a terminal's escape sequence was stored and handed back to every reader of a description or binding.
    /// </summary>
    public static void NoControlCharacters(string? text, string field, bool allowLineBreaks)
    {
        if (text is null)
        {
            return;
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\t' or '\n' or '\r'))
            {
                throw StratumException.Invalid($"{field} holds the control character U+{(int)c:X4}; {(allowLineBreaks ? "only tab and line breaks are" : "none is")} allowed.");
            }
        }
    }

    public static void Labels(IReadOnlyDictionary<string, string>? labels, string field = "labels")
    {
        if (labels is null)
        {
            return;
        }
        if (labels.Count > MaxLabels)
        {
            throw StratumException.Invalid($"{field} has {labels.Count} entries; at most {MaxLabels} are allowed.");
        }
        foreach (var (key, value) in labels)
        {
            if (!LabelKeyPattern().IsMatch(key))
            {
                throw StratumException.Invalid($"{field} key '{EchoedText.Shorten(key)}' is invalid: it must match [a-z][-_./\\@0-9a-z]{{0,62}}.");
            }
            if (value is null)
            {
                // Quoted, "null" would read as a value that matches the pattern.
                throw StratumException.Invalid($"{field}.{key} must be a string, not null.");
            }
            if (!LabelValuePattern().IsMatch(value))
            {
                throw StratumException.Invalid($"{field}.{key} value '{EchoedText.Shorten(value)}' is invalid: it must match [-_./\\@0-9a-z]{{0,63}}.");
            }
        }
    }

    public static void DiskSize(long? size, string field)
    {
        if (size is { } value && (value < MinDiskSize || value > MaxDiskSize))
        {
            throw StratumException.Invalid($"{field} {value} is out of range: it must be from {MinDiskSize} (4 MiB) to {MaxDiskSize} (4 TiB) bytes.");
        }
    }

    public static void ProductIds(IReadOnlyList<string>? productIds)
    {
        if (productIds is null)
        {
            return;
        }
        if (productIds.Count > MaxProductIds)
        {
            throw StratumException.Invalid($"productIds has {productIds.Count} entries; at most {MaxProductIds} are allowed.");
        }
        for (var i = 0; i < productIds.Count; i++)
        {
            var id = productIds[i];
            if (id is null)
            {
                throw StratumException.Invalid($"productIds[{i}] must be a string, not null.");
            }
            if (string.IsNullOrWhiteSpace(id) || id.Length > 50 || !ProductIdPattern().IsMatch(id))
            {
                throw StratumException.Invalid($"productIds entry '{EchoedText.Shorten(id)}' is invalid: it must match [a-z0-9]{{1,50}}.");
            }
        }
    }

    public static void Id(string? id, string prefix, string field)
    {
        if (id is null)
        {
            // Given as null, as a field left out is: the reader says "is required." of that one. ("" is a bad id.)
            throw StratumException.Invalid($"{field} is required.");
        }
        if (!ResourceIds.IsValid(id, prefix))
        {
            throw StratumException.Invalid($"{field} '{EchoedText.Shorten(id)}' is not a valid id: it must be '{prefix}' followed by 17 characters of [a-z0-9].");
        }
    }

    [GeneratedRegex("^[a-z]([-_a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z][-a-z0-9]{1,61}[a-z0-9]$")]
    private static partial Regex FamilyPattern();

    [GeneratedRegex(@"^[a-z][-_./\\@0-9a-z]{0,62}$")]
    private static partial Regex LabelKeyPattern();

    [GeneratedRegex(@"^[-_./\\@0-9a-z]{0,63}$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]{1,50}$")]
    private static partial Regex ProductIdPattern();
}

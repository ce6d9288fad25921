using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Stratum.Gateway.Http;

/// <summary>
/// Why a request body could not be read, in the caller's words: the field by its path, and what it takes. The
/// serializer's own messages are for programmers (they name .NET types, and for a constructor parameter the type
/// that declares it, not the field's).
/// </summary>
internal static partial class BodyErrors
{
    public static string Describe(JsonException e, ReadOnlyMemory<byte> body, Type bodyType)
    {
        if (SyntaxError(body.Span) is { } syntax)
        {
            return syntax;
        }
        if (UndecodableName(body) is { } where)
        {
            // The serializer cannot read such a key, and reported the object holding it as the wrong type.
            return $"A field name {where} is not valid Unicode text: it holds an unpaired surrogate escape (\\uD800–\\uDFFF without its pair).";
        }
        if (UnmappedProperty().Match(e.Message) is { Success: true } unmapped)
        {
            // The reader's path already ends at the unknown property ($.os.extra): name it once.
            var unknown = Named(e.Path is null or "$" ? unmapped.Groups[1].Value : e.Path);
            return $"Field '{unknown}' is not a known field.";
        }
        if (DuplicateProperty().Match(e.Message) is { Success: true } duplicate)
        {
            // The reader's path already ends at the repeated field ($.os.type): name it once.
            var repeated = Named(e.Path is null or "$" ? duplicate.Groups[1].Value : e.Path);
            return $"Field '{repeated}' appears more than once.";
        }
        if (MissingProperty().Match(e.Message) is { Success: true } missing)
        {
            // The reader's path ends at the object that lacks it ($.quotas[0]): name the field within it.
            var within = e.Path is null or "$" ? "" : Named(e.Path) + ".";
            return $"{within}{missing.Groups[1].Value} is required.";
        }
        if (string.IsNullOrEmpty(e.Path) || e.Path == "$")
        {
            return "The request body is not a valid JSON object.";
        }
        var field = Named(e.Path);
        var target = Field(bodyType, e.Path);
        var value = ValueAt(body, e.Path);
        if (value is { ValueKind: JsonValueKind.String, Text: false })
        {
            return $"Field '{field}' is not valid Unicode text: it holds an unpaired surrogate escape (\\uD800–\\uDFFF without its pair).";
        }
        if (value?.ValueKind is JsonValueKind.Null && target?.Required == true)
        {
            // As a required field left out is: null is not a value the caller can have meant for it.
            return $"{field} is required.";
        }
        if (value is { ValueKind: JsonValueKind.Number, Raw: var raw } && raw.All(c => c is '-' || char.IsAsciiDigit(c))
            && target is { Type: var type } && (Nullable.GetUnderlyingType(type) ?? type) == typeof(int))
        {
            return $"Field '{field}' is out of range for a 32-bit whole number.";
        }
        var why = e.Message.StartsWith("must", StringComparison.Ordinal) ? e.Message
            : target is not null ? Expected(target.Value.Type)
            : "has the wrong type or is malformed";
        return $"Field '{field}' {why}.";
    }

    /// <summary>
    /// A field's path as the reader gives it ($.os.type), for a message: "os.type". Its names are the caller's
    /// own keys, echoed shortened as every value is (a 900 KB key had made a 900 KB answer).
    /// </summary>
    private static string Named(string path) => EchoedText.Shorten(path.TrimStart('$', '.'));

    /// <summary>Where the body stops being UTF-8 (a Latin-1 "é" sent as one byte), or null when it is UTF-8 throughout.</summary>
    public static string? NotUtf8(ReadOnlySpan<byte> body) =>
        FirstNonUtf8(body) is { } offset
            ? $"The request body is not valid UTF-8: byte {offset + 1} (0x{body[offset]:X2}) does not begin or continue a UTF-8 character; send JSON text in UTF-8."
            : null;

    /// <summary>The offset of the first byte that does not begin or continue a UTF-8 character, or null when all do.</summary>
    public static int? FirstNonUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }
        var offset = 0;
        while (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var length) == System.Buffers.OperationStatus.Done)
        {
            offset += length;
        }
        return offset;
    }

    /// <summary>
    /// Why the body is not JSON at all (cut short, a stray character), or null when it is: the
    /// serializer reports a body cut after <c>"folderId":</c> at that field, as if its value had the wrong type.
    /// </summary>
    private static string? SyntaxError(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException e)
        {
            // The reader's advice is for programmers who configure it ("Change the reader options"), not for callers.
            var reason = ReaderAdvice().Replace(ReaderPosition().Replace(e.Message, ""), "").TrimEnd('.', ' ');
            return $"The request body is not valid JSON: {reason} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).";
        }
    }

    /// <summary>
    /// Where the first key that does not decode to text is ("in 'labels'", or "at the top level"), or null when
    /// every key does: an escaped lone surrogate (<c>"a\ud800"</c>) is valid JSON, but names no text.
    /// </summary>
    private static string? UndecodableName(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        return UndecodableName(document.RootElement, "");
    }

    private static string? UndecodableName(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (UndecodableName(item, $"{path}[{index++}]") is { } found)
                {
                    return found;
                }
            }
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in element.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                return path.Length == 0 ? "at the top level" : $"in '{Named(path)}'";
            }
            if (UndecodableName(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>
    /// The .NET type the field at a reader's path ($.quotas[0].limit) is read into, and whether it is a required
    /// property (a constructor parameter without a default); null where the path leaves the body's shape.
    /// </summary>
    private static (Type Type, bool Required)? Field(Type bodyType, string path)
    {
        (Type Type, bool Required)? field = (bodyType, false);
        foreach (Match step in PathStep().Matches(path))
        {
            var type = field.Value.Type;
            var info = ContractJson.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
            field = info.Kind switch
            {
                JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary when info.ElementType is { } element => (element, false),
                JsonTypeInfoKind.Object when info.Properties.FirstOrDefault(p => p.Name == step.Groups["name"].Value) is { } property
                    => (property.PropertyType, property.IsRequired),
                _ => null,
            };
            if (field is null)
            {
                return null;
            }
        }
        return field;
    }

    /// <summary>
    /// The JSON value at a reader's path in the body (its kind, its text as written, and for a string whether it
    /// decodes to text: an escaped lone surrogate does not), or null where there is none.
    /// </summary>
    private static (JsonValueKind ValueKind, string Raw, bool Text)? ValueAt(ReadOnlyMemory<byte> body, string path)
    {
        using var document = JsonDocument.Parse(body);
        var element = document.RootElement;
        foreach (Match step in PathStep().Matches(path))
        {
            if (step.Groups["index"].Success)
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                if (element.ValueKind != JsonValueKind.Array || index >= element.GetArrayLength())
                {
                    return null;
                }
                element = element[index];
            }
            else if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step.Groups["name"].Value, out element))
            {
                return null;
            }
        }
        return (element.ValueKind, element.GetRawText(), element.ValueKind != JsonValueKind.String || Decodes(element));
    }

    private static bool Decodes(JsonElement text)
    {
        try
        {
            text.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>What a field of this type takes, in JSON's words.</summary>
    private static string Expected(Type type)
    {
        var value = Nullable.GetUnderlyingType(type) ?? type;
        if (value == typeof(int) || value == typeof(long))
        {
            return "must be a whole number, as a JSON number";
        }
        if (value == typeof(double))
        {
            return "must be a JSON number";
        }
        if (value == typeof(bool))
        {
            return "must be true or false";
        }
        if (value == typeof(string))
        {
            return "must be a string";
        }
        return ContractJson.Options.GetTypeInfo(value).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "must be an array",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "must be an object",
            _ => "has the wrong type or is malformed",
        };
    }

    // One step of a reader's path: .name, [0] or ['name'].
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<name>[^']*)'\]")]
    private static partial Regex PathStep();

    [GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial Regex MissingProperty();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex ReaderPosition();

    [GeneratedRegex(@",? which is not supported in this mode\.|\s*Change the reader options\.")]
    private static partial Regex ReaderAdvice();

    [GeneratedRegex("Duplicate property '([^']+)'")]
    private static partial Regex DuplicateProperty();
}

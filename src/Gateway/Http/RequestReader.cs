using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Stratum.Gateway.Http;

/// <summary>Reads request bodies and query parameters, turning every defect into a 400 that names the field.</summary>
public static partial class RequestReader
{
    /// <summary>The largest body accepted; bigger is a 400, as the contract asks of oversized bodies.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static async Task<T> BodyAsync<T>(HttpRequest request) where T : class
    {
        if (!JsonBody.Accepts(request.ContentType))
        {
            throw new BadHttpRequestException("The request body must be JSON, sent with Content-Type: application/json (with curl: "
                + $"-H 'Content-Type: application/json', or --json); this request's Content-Type is '{EchoedText.Shorten(request.ContentType!)}'.",
                StatusCodes.Status415UnsupportedMediaType);
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            throw StratumException.Invalid($"The request body is larger than {MaxBodyBytes} bytes.");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw StratumException.Invalid($"The request body is larger than {MaxBodyBytes} bytes.");
            }
        }
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(body, ContractJson.Options)
                ?? throw StratumException.Invalid("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw StratumException.Invalid(SyntaxError(body) ?? Describe(e, typeof(T)));
        }
    }

    /// <summary>A body that may be left out entirely (no content): then <paramref name="empty"/>.</summary>
    public static async Task<T> OptionalBodyAsync<T>(HttpRequest request, T empty) where T : class =>
        request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            ? empty
            : await BodyAsync<T>(request);

    /// <summary>
    /// For a method that takes no body: none, or <c>{}</c>. A body with fields is refused as any body's unknown
    /// fields are (it had been ignored, so a caller's misplaced field silently did nothing).
    /// </summary>
    public static Task NoBodyAsync(HttpRequest request) => OptionalBodyAsync(request, NoBody.Instance);

    private sealed record NoBody
    {
        public static readonly NoBody Instance = new();
    }

    /// <summary>
    /// The request's Idempotency-Key: null without the header; given twice it is refused (it was
    /// read as no key at all), and an empty one is passed on to be refused as too short.
    /// </summary>
    public static string? IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers["Idempotency-Key"];
        return values.Count switch
        {
            0 => null,
            1 => values[0] ?? "",
            _ => throw StratumException.Invalid($"Idempotency-Key is given {values.Count} times; give one key."),
        };
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

    private static string Describe(JsonException e, Type body)
    {
        if (UnmappedProperty().Match(e.Message) is { Success: true } unmapped)
        {
            // The reader's path already ends at the unknown property ($.os.extra): name it once.
            var unknown = e.Path is null or "$" ? unmapped.Groups[1].Value : e.Path.TrimStart('$', '.');
            return $"Field '{unknown}' is not a known field.";
        }
        if (DuplicateProperty().Match(e.Message) is { Success: true } duplicate)
        {
            // The reader's path already ends at the repeated field ($.os.type): name it once.
            var repeated = e.Path is null or "$" ? duplicate.Groups[1].Value : e.Path.TrimStart('$', '.');
            return $"Field '{repeated}' appears more than once.";
        }
        if (MissingProperty().Match(e.Message) is { Success: true } missing)
        {
            // The reader's path ends at the object that lacks it ($.quotas[0]): name the field within it.
            var within = e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.') + ".";
            return $"{within}{missing.Groups[1].Value} is required.";
        }
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? null : e.Path.TrimStart('$', '.');
        if (field is null)
        {
            return "The request body is not a valid JSON object.";
        }
        var why = e.Message.StartsWith("must", StringComparison.Ordinal) ? e.Message
            : FieldType(body, e.Path!) is { } type ? Expected(type)
            : "has the wrong type or is malformed";
        return $"Field '{field}' {why}.";
    }

    /// <summary>
    /// The .NET type the field at a reader's path ($.quotas[0].limit) is read into, or null where the path leaves
    /// the body's shape. Walked from the body's type: for a constructor parameter the serializer's own message
    /// names the type that declares it, not the field's.
    /// </summary>
    private static Type? FieldType(Type body, string path)
    {
        var type = body;
        foreach (Match step in PathStep().Matches(path))
        {
            var info = ContractJson.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
            type = info.Kind switch
            {
                JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary => info.ElementType,
                JsonTypeInfoKind.Object => info.Properties.FirstOrDefault(p => p.Name == step.Groups["name"].Value)?.PropertyType,
                _ => null,
            };
            if (type is null)
            {
                return null;
            }
        }
        return type;
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

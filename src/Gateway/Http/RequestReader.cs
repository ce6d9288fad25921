using System.Text.Json;

namespace Stratum.Gateway.Http;

/// <summary>Reads request bodies and query parameters, turning every defect into a 400 that names the field.</summary>
public static class RequestReader
{
    /// <summary>The largest body accepted; bigger is a 400, as the contract asks of oversized bodies.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static async Task<T> BodyAsync<T>(HttpRequest request) where T : class
    {
        if (!JsonBody.Accepts(request.ContentType))
        {
            throw new BadHttpRequestException("The request body must be JSON in UTF-8, sent with Content-Type: application/json (with curl: "
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
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // The serializer reads a string with a byte that is not UTF-8 into an error whose value can't be shown:
        // refused here, where the byte can be named (counted in the body as sent, a byte order mark included).
        if (BodyErrors.NotUtf8(body.Span) is { } notUtf8)
        {
            throw StratumException.Invalid(notUtf8);
        }
        // A UTF-8 byte order mark, as Windows editors and PowerShell write files, is not part of the JSON (RFC 8259 §8.1
        // lets a parser ignore it): `curl -d @body.json` of such a file had been refused as not JSON.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw StratumException.Invalid("The request body is required.");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, ContractJson.Options)
                ?? throw StratumException.Invalid("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw StratumException.Invalid(BodyErrors.Describe(e, body, typeof(T)));
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
}

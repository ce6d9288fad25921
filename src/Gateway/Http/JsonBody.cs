using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Stratum.Gateway.Http;

/// <summary>
/// The JSON body an endpoint reads through <see cref="RequestReader"/>, declared for the OpenAPI
/// document. Its media types are left empty on purpose: routing then does not pick endpoints by
/// Content-Type (among custom methods of one path, some with a body and some without, it would
/// answer a POST without a Content-Type with 404), and <see cref="RequestReader"/> refuses a body
/// that is not JSON itself, with 415 in the contract's shape.
/// </summary>
public sealed class JsonBody(Type requestType, bool isOptional) : IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes => [];

    public Type? RequestType => requestType;

    public bool IsOptional => isOptional;

    /// <summary>
    /// Whether a request's Content-Type lets its body be read as JSON: application/json or a
    /// <c>+json</c> type; none at all is taken as JSON too, as it always was. Every charset
    /// parameter it carries must name UTF-8 (quoted or not, RFC 9110 §5.6.6): the body is read as
    /// UTF-8 (RFC 8259 §8.1), so a UTF-16 body said to be one was read as something else, and of
    /// two charsets one would be ignored.
    /// </summary>
    public static bool Accepts(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || (MediaTypeHeaderValue.TryParse(contentType, out var media)
            && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            && media.Parameters.Where(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).All(p => IsUtf8(HeaderUtilities.RemoveQuotes(p.Value))));

    private static bool IsUtf8(Microsoft.Extensions.Primitives.StringSegment charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
}

public static class JsonBodyEndpoints
{
    /// <summary>Declares that the endpoint reads a <typeparamref name="T"/> as its JSON body.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder, bool isOptional = false) =>
        builder.WithMetadata(new JsonBody(typeof(T), isOptional));
}

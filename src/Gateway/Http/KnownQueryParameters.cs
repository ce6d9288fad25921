using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Stratum.Gateway.Auth;

namespace Stratum.Gateway.Http;

/// <summary>
/// The query of an API request is read as a body is, after its caller is known (a caller without a
/// token gets 401 first, whatever the query): a parameter the path does not take is refused (400,
/// code 3) naming the ones it does, so <c>?pagesize=5</c> is no longer read as "not given"; one given
/// twice is refused rather than read as both values joined with a comma (<c>?folderId=A&amp;folderId=B</c>
/// was looked up as the folder <c>A,B</c>). Names are matched exactly, as body fields are. What a
/// path takes is read from its handler's own bindings (<c>[FromQuery]</c>, also inside
/// <c>[AsParameters]</c>), the same the OpenAPI document lists. A parameter whose percent-decoded bytes
/// are not UTF-8 (<c>cohortKey=%FF</c>) is refused as such a body is: the framework decoded each bad byte to
/// U+FFFD, so different keys were read as one.
/// </summary>
public static class KnownQueryParameters
{
    private static readonly ConcurrentDictionary<Endpoint, IReadOnlyList<string>> Taken = new();

    /// <summary>Adds the middleware; after the caller's authentication, which needs routing's endpoint too.</summary>
    public static IApplicationBuilder UseKnownQueryParameters(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.QueryString.HasValue && context.GetEndpoint() is { } endpoint && CallerEndpoints.IsApi(endpoint))
        {
            Check(context.Request.QueryString.Value, Taken.GetOrAdd(endpoint, Of));
        }
        return next(context);
    });

    private static void Check(string? query, IReadOnlyList<string> taken)
    {
        var given = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in new QueryStringEnumerable(query))
        {
            var name = pair.DecodeName().ToString();
            if ((NotUtf8(pair.EncodedName.Span) ?? NotUtf8(pair.EncodedValue.Span)) is { } offset)
            {
                throw StratumException.Invalid($"Query parameter '{EchoedText.Shorten(name)}' is not valid UTF-8 once percent-decoded: "
                    + $"byte {offset + 1} does not begin or continue a UTF-8 character; percent-encode text as UTF-8.");
            }
            if (name.Length == 0 && pair.EncodedValue.Length == 0)
            {
                continue;   // "?&" or "?a=1&&b=2": an empty pair, no parameter
            }
            if (name.Length == 0)
            {
                // "?=x": the framework would drop it silently, as it did unknown names.
                throw StratumException.Invalid($"A query parameter has no name ('={EchoedText.Shorten(pair.DecodeValue().ToString())}'); "
                    + (taken.Count == 0 ? "this path takes none." : $"this path takes {string.Join(", ", taken)}."));
            }
            if (!taken.Contains(name, StringComparer.Ordinal))
            {
                throw StratumException.Invalid($"Query parameter '{EchoedText.Shorten(name)}' is not known here; "
                    + (taken.Count == 0 ? "this path takes none." : $"this path takes {string.Join(", ", taken)}."));
            }
            given[name] = given.GetValueOrDefault(name) + 1;
        }
        if (given.FirstOrDefault(g => g.Value > 1) is { Key: not null } repeated)
        {
            throw StratumException.Invalid($"Query parameter '{EchoedText.Shorten(repeated.Key)}' is given {repeated.Value} times; give it once.");
        }
    }

    /// <summary>Where the percent-decoded bytes of a query's name or value stop being UTF-8 (0-based), or null.</summary>
    private static int? NotUtf8(ReadOnlySpan<char> encoded)
    {
        if (!encoded.Contains('%'))
        {
            return null;
        }
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && byte.TryParse(encoded.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var escaped))
            {
                bytes.Add(escaped);
                i += 2;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(encoded.Slice(i, 1).ToArray()));
            }
        }
        return BodyErrors.FirstNonUtf8(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    private static IReadOnlyList<string> Of(Endpoint endpoint)
    {
        var parameters = endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters() ?? [];
        return
        [
            .. parameters.SelectMany(p => p.GetCustomAttribute<AsParametersAttribute>() is not null
                ? p.ParameterType.GetProperties().Select(property => property.GetCustomAttribute<FromQueryAttribute>() is { } query ? query.Name ?? property.Name : null)
                : [p.GetCustomAttribute<FromQueryAttribute>() is { } query ? query.Name ?? p.Name : null])
            .OfType<string>(),
        ];
    }
}

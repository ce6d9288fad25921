using Microsoft.AspNetCore.Routing.Patterns;

namespace Stratum.Gateway.Http;

/// <summary>
/// The contract's custom methods (<c>/images/{imageId}:deprecate</c>, <c>/images:latestByFamily</c>),
/// read from the routing table itself, so that a request for one that does not exist is told
/// which ones do, and one called with the wrong HTTP method is told the right one (and any path
/// called with a method it does not serve, the ones it does: <see cref="ServedMethods"/>).
/// </summary>
public static class CustomMethods
{
    /// <summary>The route parameter constraint of a resource id segment: it never swallows a <c>:method</c>.</summary>
    public const string PlainSegment = "plain";

    /// <summary>Registers <see cref="PlainSegment"/>: <c>{imageId:plain}</c>.</summary>
    public static void AddConstraint(RouteOptions options) => options.SetParameterPolicy<PlainSegmentConstraint>(PlainSegment);

    /// <summary>Whether the request's last path segment calls a custom method (<c>…/id:verb</c>).</summary>
    public static bool IsCall(HttpRequest request) => LastSegment(request.Path).Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// The refusal of a custom method call the routing table did not serve: 405 naming the HTTP
    /// method(s) of a method that exists, else 404 listing the methods this path has.
    /// </summary>
    public static (int Status, ErrorCode Code, string Message, string? Allow) Refuse(HttpContext http)
    {
        var segments = Segments(http.Request.Path);
        var last = segments[^1];
        var colon = last.IndexOf(':', StringComparison.Ordinal);
        var (target, verb) = (last[..colon], last[(colon + 1)..]);
        var known = Known(http.RequestServices.GetRequiredService<EndpointDataSource>(), segments[..^1], target);
        var same = known.Where(k => k.Verb == verb).ToList();
        if (same.Count > 0)
        {
            var allowed = string.Join(", ", same.Select(k => k.HttpMethod));
            return (405, ErrorCode.InvalidArgument, $"Method ':{EchoedText.Shorten(verb)}' is called with {allowed}, not {http.Request.Method}.",
                HeadRequests.Allow(same.Select(k => k.HttpMethod)));
        }
        var message = known.Count == 0
            ? $"Method ':{EchoedText.Shorten(verb)}' is not known, and {EchoedText.Shorten(Display(segments[..^1], target))} has no custom methods."
            : $"Method ':{EchoedText.Shorten(verb)}' is not known here. The methods of {known[0].Resource} are: "
                + string.Join(", ", known.Select(k => $"{k.HttpMethod} :{k.Verb}")) + ".";
        return (404, ErrorCode.NotFound, message, null);
    }

    private static bool Matches(IReadOnlyList<RoutePatternPart> parts, string segment) => parts switch
    {
        [RoutePatternParameterPart] => true,
        [RoutePatternLiteralPart literal] => string.Equals(literal.Content, segment, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private sealed record Method(string Resource, string Verb, string HttpMethod);

    /// <summary>The custom methods whose route matches the request's leading segments and target.</summary>
    private static List<Method> Known(EndpointDataSource endpoints, string[] leading, string target) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => Describe(e, leading, target))
            .Distinct()
            .OrderBy(m => m.HttpMethod == "GET" ? 1 : 0).ThenBy(m => m.Verb, StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<Method> Describe(RouteEndpoint endpoint, string[] leading, string target)
    {
        var pattern = endpoint.RoutePattern;
        if (pattern.PathSegments.Count != leading.Length + 1)
        {
            yield break;
        }
        for (var i = 0; i < leading.Length; i++)
        {
            if (!Matches(pattern.PathSegments[i].Parts, leading[i]))
            {
                yield break;
            }
        }
        var verb = pattern.PathSegments[^1].Parts switch
        {
            // {imageId}:deprecate
            [RoutePatternParameterPart, RoutePatternLiteralPart { Content: [':', .. var name] }] when target.Length > 0 => name,
            // images:latestByFamily
            [RoutePatternLiteralPart { Content: var content }] when content.StartsWith(target + ":", StringComparison.OrdinalIgnoreCase) => content[(target.Length + 1)..],
            _ => null,
        };
        if (verb is null)
        {
            yield break;
        }
        var raw = pattern.RawText ?? "";
        var resource = raw[..(raw.LastIndexOf(':') is var at and > 0 ? at : raw.Length)];
        foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
        {
            yield return new Method(resource, verb, method);
        }
    }

    private static string Display(string[] leading, string target) => "/" + string.Join("/", [.. leading, target]);

    private static string[] Segments(PathString path) => (path.Value ?? "/").Trim('/').Split('/');

    private static string LastSegment(PathString path) => Segments(path)[^1];

    /// <summary>A route value that is a plain id: no <c>:</c>, so <c>id:verb</c> is left to the custom method routes.</summary>
    private sealed class PlainSegmentConstraint : IRouteConstraint
    {
        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
            values.TryGetValue(routeKey, out var value) && value is string text && !text.Contains(':', StringComparison.Ordinal);
    }
}

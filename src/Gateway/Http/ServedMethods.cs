using System.Collections.Concurrent;
using Microsoft.AspNetCore.Routing.Template;

namespace Stratum.Gateway.Http;

/// <summary>
/// The HTTP methods served at a path, for a 405, from every route matched as routing matches
/// (optional, catch-all and complex segments included). Routing's own answer will not do: it says
/// 404, not 405, when another route of the same shape takes the method but then does not match (POST
/// /images/{id} beside POST /images/{id}:deprecate, POST /openapi/v1.json), and its Allow list names the
/// methods of those custom methods too.
/// </summary>
public static class ServedMethods
{
    private static readonly ConcurrentDictionary<RouteEndpoint, TemplateMatcher> Matchers = new();

    /// <summary>The methods of every route matching the request's path; empty when none does (a 404).</summary>
    public static IReadOnlyList<string> At(HttpContext http) =>
    [
        .. http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => Matcher(e).TryMatch(http.Request.Path, []))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            .Distinct(StringComparer.Ordinal),
    ];

    private static TemplateMatcher Matcher(RouteEndpoint endpoint) =>
        Matchers.GetOrAdd(endpoint, e => new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary(e.RoutePattern.Defaults)));
}

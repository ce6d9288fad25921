using System.Collections.Concurrent;
using Microsoft.AspNetCore.Routing.Template;
using Stratum.Gateway.Auth;

namespace Stratum.Gateway.Http;

/// <summary>
/// The methods served at a path outside the API's routes (the OpenAPI document, the docs UI, the
/// probes), for a 405 where routing answered 404: routing does so when another route of the same
/// shape takes the method but then does not match (a custom method's <c>{id}:verb</c> segment).
/// Matched as routing matches, optional and complex segments included.
/// </summary>
public static class OtherRoutes
{
    private static readonly ConcurrentDictionary<RouteEndpoint, TemplateMatcher> Matchers = new();

    public static IReadOnlyList<string> Allowed(HttpContext http) =>
    [
        .. http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !CallerEndpoints.IsApi(e) && Matcher(e).TryMatch(http.Request.Path, []))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            .Distinct(StringComparer.Ordinal),
    ];

    private static TemplateMatcher Matcher(RouteEndpoint endpoint) =>
        Matchers.GetOrAdd(endpoint, e => new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary(e.RoutePattern.Defaults)));
}

using Microsoft.AspNetCore.Http.Metadata;

namespace Stratum.Gateway.Http;

/// <summary>
/// Declares the refusals each endpoint can answer with, all in the contract's error body, so the
/// OpenAPI document shows them: every call can be malformed (400), unauthenticated (401), about
/// something missing or unreadable (404), or meet a fault (500) or an unreachable cluster (503);
/// a change can also be forbidden (403) or conflict (409, an Idempotency-Key reused with another
/// body); a create or custom method can exceed a quota (429); a body that is not JSON is refused (415).
/// </summary>
public static class ErrorResponses
{
    public static TBuilder WithContractErrors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(Declare);
        return builder;
    }

    private static void Declare(EndpointBuilder endpoint)
    {
        var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var statuses = new SortedSet<int> { 400, 401, 404, 500, 503 };
        if (methods.Overlaps(["POST", "PATCH", "PUT", "DELETE"]))
        {
            statuses.UnionWith([403, 409]);
        }
        if (methods.Contains("POST"))
        {
            statuses.Add(429);
        }
        if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any())
        {
            statuses.Add(415);
        }
        foreach (var status in statuses)
        {
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ErrorBody), ["application/json"]));
        }
    }
}

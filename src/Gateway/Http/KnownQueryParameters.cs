using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Stratum.Gateway.Auth;

namespace Stratum.Gateway.Http;

/// <summary>
/// A query parameter the path does not take is refused (400, code 3) naming the ones it does, as a
/// body's unknown field is: <c>?pagesize=5</c> or <c>?folder=…</c> had been ignored silently, so a
/// typo read as "not given". Names are matched exactly, as body fields are. What a path takes is
/// read from its handler's own bindings (<c>[FromQuery]</c>, also inside <c>[AsParameters]</c>), the
/// same the OpenAPI document lists.
/// </summary>
public static class KnownQueryParameters
{
    private static readonly ConcurrentDictionary<Endpoint, IReadOnlyList<string>> Taken = new();

    /// <summary>Adds the middleware; after routing, which tells the endpoint.</summary>
    public static IApplicationBuilder UseKnownQueryParameters(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Query.Count > 0 && context.GetEndpoint() is { } endpoint && CallerEndpoints.IsApi(endpoint))
        {
            var taken = Taken.GetOrAdd(endpoint, Of);
            foreach (var name in context.Request.Query.Keys)
            {
                if (!taken.Contains(name, StringComparer.Ordinal))
                {
                    throw StratumException.Invalid($"Query parameter '{EchoedText.Shorten(name)}' is not known here; "
                        + (taken.Count == 0 ? "this path takes none." : $"this path takes {string.Join(", ", taken)}."));
                }
            }
        }
        return next(context);
    });

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

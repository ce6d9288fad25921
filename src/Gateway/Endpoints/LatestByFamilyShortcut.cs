using Microsoft.AspNetCore.WebUtilities;
using Stratum.Gateway.Auth;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// latestByFamily's cache hits, answered before routing. A plain request (GET on the exact path;
/// folderId and family once each, cohortKey at most once, no other parameter;
/// a bearer token the gateway already knows) whose answer this gateway's cache holds gets the same
/// bytes the endpoint would write, without the route match, the contract's refusal and
/// repeated-parameter middleware, parameter binding and a result object: about an eighth of the
/// gateway's CPU per hit (perf, under bench/run). Anything else, a miss included, goes on to the
/// endpoint, which decides every other answer (errors, 404s, fetches, a caller's own recent write);
/// the cache holds only answers that endpoint's grain calls gave this caller. A cohortKey too long is
/// refused by the same rule as the endpoint's (Cohorts.Bucket), in the contract's shape (ApiErrors).
/// </summary>
internal sealed class LatestByFamilyShortcut(LatestByFamilyReads reads, CallerAuthentication authentication, EndpointDataSource endpoints)
{
    private const string Path = "/compute/v1/images:latestByFamily";

    /// <summary>The name of the endpoint whose hits this answers (its metrics and kept spans name its route).</summary>
    public const string EndpointName = "GetLatestImageByFamily";

    private Endpoint? _endpoint;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!request.Path.Equals(Path, StringComparison.Ordinal) || !HttpMethods.IsGet(request.Method)
            || !PlainQuery.TryRead(request.QueryString.Value, out var query))
        {
            return next(context);
        }
        var authenticated = authentication.AuthenticateAsync(context);
        return authenticated.IsCompletedSuccessfully
            ? Serve(context, next, authenticated.Result, query)
            : ServeAsync(context, next, authenticated, query);
    }

    private async Task ServeAsync(HttpContext context, RequestDelegate next, ValueTask<Authenticated?> authentication, PlainQuery query) =>
        await Serve(context, next, await authentication, query);

    private Task Serve(HttpContext context, RequestDelegate next, Authenticated? authenticated, PlainQuery query)
    {
        if (authenticated is null || reads.TryKept(authenticated.Caller, query.FolderId, query.Family, query.CohortKey) is not { } body)
        {
            return next(context);
        }
        // As routing would have: request metrics and kept spans carry the endpoint's route.
        context.SetEndpoint(_endpoint ??= endpoints.Endpoints.First(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == EndpointName));
        return body.ExecuteAsync(context);
    }

    /// <summary>The parameters of a plain request; <see cref="TryRead"/> is false for any other query, which the endpoint judges.</summary>
    private readonly record struct PlainQuery(string FolderId, string Family, string? CohortKey)
    {
        public static bool TryRead(string? queryString, out PlainQuery query)
        {
            query = default;
            string? folderId = null, family = null, cohortKey = null;
            foreach (var pair in new QueryStringEnumerable(queryString))
            {
                // A name given twice is the endpoint's to refuse; one it does not know, its to ignore.
                switch (pair.DecodeName().Span)
                {
                    case "folderId" when folderId is null:
                        folderId = pair.DecodeValue().ToString();
                        break;
                    case "family" when family is null:
                        family = pair.DecodeValue().ToString();
                        break;
                    case "cohortKey" when cohortKey is null:
                        cohortKey = pair.DecodeValue().ToString();
                        break;
                    default:
                        return false;
                }
            }
            if (string.IsNullOrEmpty(folderId) || string.IsNullOrEmpty(family))
            {
                return false;
            }
            // An empty cohortKey counts as absent, as the endpoint reads it.
            query = new PlainQuery(folderId, family, string.IsNullOrEmpty(cohortKey) ? null : cohortKey);
            return true;
        }
    }
}

/// <summary>Puts <see cref="LatestByFamilyShortcut"/> in the pipeline.</summary>
internal static class LatestByFamilyShortcutExtensions
{
    /// <summary>Before the middleware it lets hits skip; after those that must see every request (errors, kept spans).</summary>
    public static IApplicationBuilder UseLatestByFamilyShortcut(this IApplicationBuilder app)
    {
        var shortcut = ActivatorUtilities.CreateInstance<LatestByFamilyShortcut>(app.ApplicationServices);
        return app.Use(shortcut.InvokeAsync);
    }
}

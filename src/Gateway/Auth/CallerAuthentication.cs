using Stratum.Security;

namespace Stratum.Gateway.Auth;

/// <summary>
/// Turns a request's bearer token into a <see cref="Caller"/> with the <see cref="TokenValidator"/>
/// the silos use too (development tokens in Development, JWTs otherwise). It only says who is
/// calling; what they may do is decided in the grains, where the token is verified again.
/// </summary>
public sealed class CallerAuthentication(TokenValidator tokens)
{
    private const string Scheme = "Bearer ";

    /// <summary>The caller and the token it was verified from; null without a valid bearer token.</summary>
    public async ValueTask<Authenticated?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        // The scheme is case-insensitive (RFC 9110 §11.1): "bearer", as some HTTP libraries send it, is Bearer.
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header[Scheme.Length..].Trim();
        return await tokens.ValidateAsync(token) is { } caller ? new Authenticated(caller, token) : null;
    }
}

/// <summary>A verified caller, and the token that names it, which the gateway's grain calls carry.</summary>
public sealed record Authenticated(Caller Caller, string Token);

/// <summary>Endpoint helpers that need the caller.</summary>
public static class CallerEndpoints
{
    /// <summary>Marks every endpoint of the group as needing a known caller (see <see cref="UseCallerAuthentication"/>).</summary>
    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group) => group.WithMetadata(RequiresCaller.Instance);

    /// <summary>Whether an endpoint is one of the API's (in a group that requires a caller), not a probe or the docs.</summary>
    public static bool IsApi(Endpoint endpoint) => endpoint.Metadata.GetMetadata<RequiresCaller>() is not null;

    /// <summary>
    /// Marks an endpoint that puts the caller's token in force itself, around the grain calls it
    /// makes (<see cref="Token"/>): the hottest read mostly answers from the gateway's cache and
    /// makes none, and setting the request context costs every request two copies of it.
    /// </summary>
    public static TBuilder CarriesTokenItself<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(TokenOnDemand.Instance);

    /// <summary>
    /// After routing: authenticates the caller of every endpoint that requires one (401 in the
    /// contract's shape otherwise), and makes the request's grain calls carry its token. A middleware rather than an endpoint filter, which would cost
    /// every request of the hottest read an extra invocation context.
    /// </summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app)
    {
        var authentication = app.ApplicationServices.GetRequiredService<CallerAuthentication>();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata is not { } metadata || metadata.GetMetadata<RequiresCaller>() is null)
            {
                return next(context);
            }
            var authenticated = authentication.AuthenticateAsync(context);
            return authenticated.IsCompletedSuccessfully
                ? ContinueAsync(context, next, authenticated.Result, metadata)
                : AwaitAsync(context, next, authenticated, metadata);
        });
    }

    private static async Task AwaitAsync(HttpContext context, RequestDelegate next, ValueTask<Authenticated?> authentication, EndpointMetadataCollection metadata) =>
        await ContinueAsync(context, next, await authentication, metadata);

    private static Task ContinueAsync(HttpContext context, RequestDelegate next, Authenticated? authenticated, EndpointMetadataCollection metadata)
    {
        if (authenticated is null)
        {
            return Http.ApiErrors.Result(ErrorCode.Unauthenticated, "A valid bearer token is required: Authorization: Bearer <token>.").ExecuteAsync(context);
        }
        // A feature, not an Items entry: Kestrel keeps a connection's feature slots from request to
        // request, where Items would allocate a dictionary for every request.
        context.SetAuthenticated(authenticated);
        return metadata.GetMetadata<TokenOnDemand>() is null ? WithTokenAsync(context, next, authenticated.Token) : next(context);
    }

    private static async Task WithTokenAsync(HttpContext context, RequestDelegate next, string token)
    {
        // The grain calls of this request carry the token the silos verify again.
        using (BearerToken.Use(token))
        {
            await next(context);
        }
    }

    private sealed class RequiresCaller
    {
        public static readonly RequiresCaller Instance = new();
    }

    private sealed class TokenOnDemand
    {
        public static readonly TokenOnDemand Instance = new();
    }

    /// <summary>The authenticated caller of the request (set by <see cref="UseCallerAuthentication"/> or the gRPC interceptor).</summary>
    public static Caller Caller(this HttpContext context) => Authenticated(context).Caller;

    /// <summary>The token the caller was verified from, for an endpoint that <see cref="CarriesTokenItself"/>.</summary>
    public static string Token(this HttpContext context) => Authenticated(context).Token;

    /// <summary>Records the authenticated caller of a request.</summary>
    public static void SetAuthenticated(this HttpContext context, Authenticated authenticated) => context.Features.Set(authenticated);

    private static Authenticated Authenticated(HttpContext context) =>
        context.Features.Get<Authenticated>() ?? throw new InvalidOperationException("The request was not authenticated: its endpoint does not require a caller.");
}

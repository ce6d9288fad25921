using Stratum.Security;

namespace Stratum.Gateway.Auth;

/// <summary>
/// Turns a request's bearer token into a <see cref="Caller"/> with the <see cref="TokenValidator"/>
/// the silos use too (development tokens in Development, JWTs otherwise). It only says who is
/// calling; what they may do is decided in the grains, where the token is verified again.
/// </summary>
public sealed class CallerAuthentication(TokenValidator tokens)
{
    /// <summary>The caller and the token it was verified from; null without a valid bearer token.</summary>
    public async ValueTask<Authenticated?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }
        var token = header["Bearer ".Length..].Trim();
        return await tokens.ValidateAsync(token) is { } caller ? new Authenticated(caller, token) : null;
    }
}

/// <summary>A verified caller, and the token that names it, which the gateway's grain calls carry.</summary>
public sealed record Authenticated(Caller Caller, string Token);

/// <summary>Endpoint helpers that need the caller.</summary>
public static class CallerEndpoints
{
    public const string ItemKey = "stratum.caller";

    /// <summary>Marks every endpoint of the group as needing a known caller (see <see cref="UseCallerAuthentication"/>).</summary>
    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group) => group.WithMetadata(RequiresCaller.Instance);

    /// <summary>
    /// After routing: authenticates the caller of every endpoint that requires one (401 in the
    /// contract's shape otherwise), and makes the request's grain calls carry its token. A middleware rather than an endpoint filter, which would cost
    /// every request of the hottest read an extra invocation context.
    /// </summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app)
    {
        var authentication = app.ApplicationServices.GetRequiredService<CallerAuthentication>();
        return app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresCaller>() is not null)
            {
                if (await authentication.AuthenticateAsync(context) is not { } authenticated)
                {
                    await Http.ApiErrors.Result(ErrorCode.Unauthenticated, "A valid bearer token is required: Authorization: Bearer <token>.").ExecuteAsync(context);
                    return;
                }
                context.Items[ItemKey] = authenticated.Caller;
                // The grain calls of this request carry the token the silos verify again.
                using (BearerToken.Use(authenticated.Token))
                {
                    await next(context);
                }
                return;
            }
            await next(context);
        });
    }

    private sealed class RequiresCaller
    {
        public static readonly RequiresCaller Instance = new();
    }

    public static Caller Caller(this HttpContext context) => (Caller)context.Items[ItemKey]!;
}

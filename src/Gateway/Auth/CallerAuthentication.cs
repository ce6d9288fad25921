using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using System.Text;

namespace Stratum.Gateway.Auth;

/// <summary>
/// Turns a bearer token into a <see cref="Caller"/>. Development accepts the contract's three
/// fixed tokens; otherwise tokens are JWTs validated against the configured issuer, audience and key.
/// It only says who is calling; what they may do is decided in the grains.
/// </summary>
public sealed class CallerAuthentication(IConfiguration configuration)
{
    public static readonly IReadOnlyDictionary<string, Caller> DevelopmentTokens = new Dictionary<string, Caller>
    {
        ["dev-admin"] = Caller.User("admin"),
        ["dev-alice"] = Caller.User("alice"),
        ["dev-bob"] = Caller.User("bob"),
    };

    private readonly bool _devTokens = configuration.GetValue("Stratum:Auth:DevelopmentTokens", false);

    public async Task<Caller?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }
        var token = header["Bearer ".Length..].Trim();
        if (_devTokens && DevelopmentTokens.TryGetValue(token, out var developer))
        {
            return developer;
        }
        if (configuration["Stratum:Auth:Jwt:SigningKey"] is null)
        {
            return null;
        }
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var subject = result.Principal?.FindFirst("sub")?.Value ?? result.Principal?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        if (!result.Succeeded || string.IsNullOrEmpty(subject))
        {
            return null;
        }
        return result.Principal!.FindFirst("subject_type")?.Value == "serviceAccount" ? Caller.Service(subject) : Caller.User(subject);
    }

    public static void AddJwt(IServiceCollection services, IConfiguration configuration)
    {
        // With one scheme registered, ASP.NET Core would make it the default, and the authentication
        // middleware it adds would try every request's bearer token as a JWT before we do: a dev
        // token failed that way on every request (a quarter of the gateway's time on latestByFamily).
        // We authenticate once, ourselves, with the scheme named.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication().AddJwtBearer(options =>
        {
            var jwt = configuration.GetSection("Stratum:Auth:Jwt");
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt["Issuer"],
                ValidAudience = jwt["Audience"],
                IssuerSigningKey = jwt["SigningKey"] is { } key ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) : null,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateIssuerSigningKey = true,
            };
        });
    }
}

/// <summary>Endpoint helpers that need the caller.</summary>
public static class CallerEndpoints
{
    public const string ItemKey = "stratum.caller";

    /// <summary>Marks every endpoint of the group as needing a known caller (see <see cref="UseCallerAuthentication"/>).</summary>
    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group) => group.WithMetadata(RequiresCaller.Instance);

    /// <summary>
    /// After routing: authenticates the caller of every endpoint that requires one, 401 in the
    /// contract's shape otherwise. A middleware rather than an endpoint filter, which would cost
    /// every request of the hottest read an extra invocation context.
    /// </summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app)
    {
        var authentication = app.ApplicationServices.GetRequiredService<CallerAuthentication>();
        return app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresCaller>() is not null)
            {
                if (await authentication.AuthenticateAsync(context) is not { } caller)
                {
                    await Http.ApiErrors.Result(ErrorCode.Unauthenticated, "A valid bearer token is required: Authorization: Bearer <token>.").ExecuteAsync(context);
                    return;
                }
                context.Items[ItemKey] = caller;
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

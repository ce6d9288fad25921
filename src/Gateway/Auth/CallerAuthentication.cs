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

    /// <summary>Requires a known caller on every endpoint of the group; 401 in the contract's shape otherwise.</summary>
    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var caller = await context.HttpContext.RequestServices.GetRequiredService<CallerAuthentication>().AuthenticateAsync(context.HttpContext);
            if (caller is null)
            {
                return Http.ApiErrors.Result(ErrorCode.Unauthenticated, "A valid bearer token is required: Authorization: Bearer <token>.");
            }
            context.HttpContext.Items[ItemKey] = caller;
            return await next(context);
        });

    public static Caller Caller(this HttpContext context) => (Caller)context.Items[ItemKey]!;
}

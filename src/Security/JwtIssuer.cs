using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stratum.Security;

/// <summary>
/// Signs JWTs that a <see cref="TokenValidator"/> with the same <see cref="JwtOptions"/> accepts:
/// for tools that run their own cluster (the load tool's local cluster, the tests) and for an
/// operator who holds the signing key and gives a service account its token.
/// </summary>
public static class JwtIssuer
{
    /// <summary>A token naming <paramref name="caller"/> (a service account carries <c>subject_type: serviceAccount</c>), valid for <paramref name="lifetime"/>.</summary>
    public static string Issue(JwtOptions options, Caller caller, TimeSpan lifetime)
    {
        if (options.SigningKey is not { Length: > 0 } key)
        {
            throw new InvalidOperationException("Issuing a token needs Stratum:Auth:Jwt:SigningKey.");
        }
        var claims = new Dictionary<string, object> { ["sub"] = caller.Subject.Id };
        if (caller.Subject.Type == SubjectType.ServiceAccount)
        {
            claims["subject_type"] = "serviceAccount";
        }
        // A negative lifetime makes a token that has already expired (for tests of refusal).
        var expires = DateTime.UtcNow + lifetime;
        var issued = lifetime > TimeSpan.Zero ? DateTime.UtcNow : expires - TimeSpan.FromMinutes(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}

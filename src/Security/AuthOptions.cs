namespace Stratum.Security;

/// <summary>How bearer tokens are verified, by the gateway and the silos alike. Configuration section <c>Stratum:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Stratum:Auth";

    /// <summary>Accept the contract's fixed development tokens (<see cref="DevelopmentTokens"/>); on in Development only.</summary>
    public bool DevelopmentTokens { get; set; }

    /// <summary>JWT bearer validation; off while no signing key is configured.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>How many verified tokens are remembered (each until it expires).</summary>
    public int VerifiedTokenCacheSize { get; set; } = 100_000;
}

/// <summary>The JWTs Stratum accepts: signed with <see cref="SigningKey"/> (HMAC-SHA256) by <see cref="Issuer"/> for <see cref="Audience"/>.</summary>
public sealed class JwtOptions
{
    /// <summary>The <c>iss</c> a token must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> a token must carry.</summary>
    public string? Audience { get; set; } = "stratum";

    /// <summary>The symmetric key tokens are signed with (at least 32 bytes).</summary>
    public string? SigningKey { get; set; }

    /// <summary>How far a token's <c>exp</c> and <c>nbf</c> may be off the clock (5 minutes, as ASP.NET Core's JWT handler).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

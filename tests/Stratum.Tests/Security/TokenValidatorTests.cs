using Microsoft.Extensions.Options;
using Stratum.Security;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Security;

/// <summary>The one validator of the gateway and the silos: what it accepts, and that a known token costs a lookup.</summary>
public sealed class TokenValidatorTests
{
    private readonly ManualClock _clock = new();

    private TokenValidator Validator(bool developmentTokens = false) => new(Options.Create(new AuthOptions
    {
        DevelopmentTokens = developmentTokens,
        Jwt = new JwtOptions { Issuer = TestCallers.Jwt.Issuer, Audience = TestCallers.Jwt.Audience, SigningKey = TestCallers.Jwt.SigningKey },
    }), _clock);

    private static string Jwt(Caller caller, string? key = null, string? audience = null, string? issuer = null, TimeSpan? lifetime = null) =>
        JwtIssuer.Issue(new JwtOptions
        {
            Issuer = issuer ?? TestCallers.Jwt.Issuer,
            Audience = audience ?? TestCallers.Jwt.Audience,
            SigningKey = key ?? TestCallers.Jwt.SigningKey,
        }, caller, lifetime ?? TimeSpan.FromMinutes(10));

    [Fact]
    public async Task A_JWT_names_a_user_or_a_service_account()
    {
        var validator = Validator();
        Assert.Equal(Caller.User("carol"), await validator.ValidateAsync(Jwt(Caller.User("carol"))));
        Assert.Equal(Caller.Service("billing"), await validator.ValidateAsync(Jwt(Caller.Service("billing"))));
    }

    [Fact]
    public async Task Development_tokens_only_where_they_are_on()
    {
        Assert.Equal(Caller.User("admin"), await Validator(developmentTokens: true).ValidateAsync("dev-admin"));
        Assert.Equal(Caller.User("bob"), await Validator(developmentTokens: true).ValidateAsync("dev-bob"));
        Assert.Null(await Validator().ValidateAsync("dev-admin"));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("other-key")]
    [InlineData("other-audience")]
    [InlineData("other-issuer")]
    [InlineData("expired")]
    [InlineData("tampered")]
    public async Task Forged_missing_and_expired_tokens_name_no_one(string kind)
    {
        var admin = Caller.User("admin");
        var token = kind switch
        {
            "missing" => null,
            "garbage" => "not-a-token",
            "other-key" => Jwt(admin, key: "another-signing-key-of-at-least-32-bytes!!"),
            "other-audience" => Jwt(admin, audience: "someone-else"),
            "other-issuer" => Jwt(admin, issuer: "https://elsewhere.invalid"),
            "expired" => Jwt(admin, lifetime: TimeSpan.FromMinutes(-10)),
            _ => Tampered(Jwt(Caller.User("bob")), "bob", "admin"),
        };
        Assert.Null(await Validator(developmentTokens: true).ValidateAsync(token));
    }

    [Fact]
    public async Task A_verified_token_is_a_lookup_until_it_expires()
    {
        var validator = Validator();
        var token = Jwt(Caller.User("carol"), lifetime: TimeSpan.FromMinutes(1));
        Assert.NotNull(await validator.ValidateAsync(token));
        Assert.Equal(1, validator.FullValidations);

        var again = validator.ValidateAsync(token);
        Assert.True(again.IsCompletedSuccessfully, "a known token is answered without waiting");
        Assert.Equal(Caller.User("carol"), await again);
        Assert.Equal(1, validator.FullValidations);

        // Past its expiry (and the clock skew the validation allows), the token is validated again, and refused.
        _clock.Advance(TimeSpan.FromMinutes(1) + new JwtOptions().ClockSkew + TimeSpan.FromSeconds(1));
        Assert.Null(await validator.ValidateAsync(token));
        Assert.Equal(2, validator.FullValidations);
    }

    [Fact]
    public async Task The_cache_of_verified_tokens_is_bounded()
    {
        var validator = new TokenValidator(Options.Create(new AuthOptions
        {
            Jwt = new JwtOptions { Issuer = TestCallers.Jwt.Issuer, Audience = TestCallers.Jwt.Audience, SigningKey = TestCallers.Jwt.SigningKey },
            VerifiedTokenCacheSize = 3,
        }), _clock);
        var tokens = Enumerable.Range(0, 5).Select(i => Jwt(Caller.User($"u{i}"))).ToList();
        foreach (var token in tokens)
        {
            Assert.NotNull(await validator.ValidateAsync(token));
        }
        Assert.True(validator.CachedTokens <= 3, $"{validator.CachedTokens} tokens kept");
    }

    /// <summary>The token with its payload's text changed, signature kept.</summary>
    private static string Tampered(string jwt, string from, string to)
    {
        var parts = jwt.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])).Replace(from, to, StringComparison.Ordinal);
        parts[1] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload);
        return string.Join('.', parts);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

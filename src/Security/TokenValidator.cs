using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stratum.Security;

/// <summary>
/// Turns a bearer token into the <see cref="Caller"/> it names, or null when it names no one. The
/// one validator of Stratum: the gateway (REST and gRPC) checks the tokens it receives with it, and
/// every silo checks the token each client call carries with it. Development tokens are a dictionary
/// lookup; a JWT is validated once (issuer, audience, signature, lifetime) and then remembered until
/// it expires, so the hot path is one dictionary lookup, not a JWT parse per call.
/// </summary>
public sealed class TokenValidator
{
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly TokenValidationParameters? _jwt;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);
    private long _validations;

    /// <summary>A validator on the system clock.</summary>
    public TokenValidator(IOptions<AuthOptions> options) : this(options, TimeProvider.System)
    {
    }

    /// <summary>A validator on the given clock (tests move it to expire tokens).</summary>
    public TokenValidator(IOptions<AuthOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        if (_options.Jwt.SigningKey is { Length: > 0 } key)
        {
            _jwt = new TokenValidationParameters
            {
                ValidIssuer = _options.Jwt.Issuer,
                ValidAudience = _options.Jwt.Audience,
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
                ClockSkew = _options.Jwt.ClockSkew,
                // Lifetime on our clock, the same one the cache expires entries by.
                LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    var now = _time.GetUtcNow().UtcDateTime;
                    return expires is { } end && now <= end + parameters.ClockSkew && (notBefore is not { } start || now >= start - parameters.ClockSkew);
                },
            };
        }
    }

    /// <summary>How many tokens were validated in full, not found among the verified ones (for tests and diagnostics).</summary>
    public long FullValidations => Interlocked.Read(ref _validations);

    /// <summary>How many verified tokens are remembered now.</summary>
    public int CachedTokens => _verified.Count;

    /// <summary>The caller the token names; null for a missing, unknown, forged or expired token. Completes at once for a known token.</summary>
    public ValueTask<Caller?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return ValueTask.FromResult<Caller?>(null);
        }
        if (_options.DevelopmentTokens && DevelopmentTokens.All.TryGetValue(token, out var developer))
        {
            return ValueTask.FromResult<Caller?>(developer);
        }
        if (_jwt is null)
        {
            return ValueTask.FromResult<Caller?>(null);
        }
        if (_verified.TryGetValue(token, out var verified))
        {
            if (_time.GetUtcNow() <= verified.Until)
            {
                return ValueTask.FromResult<Caller?>(verified.Caller);
            }
            _verified.TryRemove(token, out _);
        }
        return new ValueTask<Caller?>(ValidateJwtAsync(token, _jwt));
    }

    private async Task<Caller?> ValidateJwtAsync(string token, TokenValidationParameters parameters)
    {
        Interlocked.Increment(ref _validations);
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || string.IsNullOrEmpty(jwt.Subject))
        {
            return null;
        }
        var caller = jwt.TryGetPayloadValue<string>("subject_type", out var type) && type == "serviceAccount"
            ? Caller.Service(jwt.Subject)
            : Caller.User(jwt.Subject);
        Remember(token, new Verified(caller, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + parameters.ClockSkew));
        return caller;
    }

    private void Remember(string token, Verified verified)
    {
        if (_verified.Count >= _options.VerifiedTokenCacheSize)
        {
            var now = _time.GetUtcNow();
            foreach (var (key, entry) in _verified)
            {
                if (now > entry.Until)
                {
                    _verified.TryRemove(key, out _);
                }
            }
            if (_verified.Count >= _options.VerifiedTokenCacheSize)
            {
                _verified.Clear();
            }
        }
        _verified[token] = verified;
    }

    private sealed record Verified(Caller Caller, DateTimeOffset Until);
}

namespace Stratum;

/// <summary>
/// The credential a grain call through the Orleans client acts with. A silo verifies it on every
/// call that comes from a client (with the gateway's validator: development tokens in Development,
/// JWTs otherwise), and refuses the call when it is missing or invalid, or when a
/// <see cref="Caller"/> argument names anyone but the token's subject. It travels in the call's
/// <see cref="RequestContext"/>, so it applies to every call made in the same asynchronous flow.
/// </summary>
public static class BearerToken
{
    /// <summary>The request-context key that carries the token.</summary>
    public const string RequestContextKey = "stratum.token";

    /// <summary>The token calls made here carry, if any.</summary>
    public static string? Current => RequestContext.Get(RequestContextKey) as string;

    /// <summary>
    /// Makes the calls of this asynchronous flow carry <paramref name="token"/> (a user's, forwarded,
    /// or a service account's) until the returned scope is disposed; the token in force before comes back then.
    /// </summary>
    public static IDisposable Use(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var previous = Current;
        RequestContext.Set(RequestContextKey, token);
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (previous is null)
            {
                RequestContext.Remove(RequestContextKey);
            }
            else
            {
                RequestContext.Set(RequestContextKey, previous);
            }
        }
    }
}

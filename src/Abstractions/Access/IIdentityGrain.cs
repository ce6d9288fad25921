namespace Stratum;

/// <summary>
/// Who a client is: the caller its bearer token (see <see cref="BearerToken"/>) names, as a silo
/// verified it. A client passes that caller as the <see cref="Caller"/> argument of its calls.
/// </summary>
[Alias("Stratum.IIdentityGrain")]
public interface IIdentityGrain : IGrainWithIntegerKey
{
    /// <summary>The verified caller of the token this call carries; 401 (code 16) when it carries none or an invalid one.</summary>
    [Alias("WhoAmI"), ReadOnly] Task<Caller> WhoAmIAsync();
}

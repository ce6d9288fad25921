namespace Stratum.Access;

/// <summary>
/// Who a client is. The <see cref="ClientCallGuard"/> answers a client's call itself, from the
/// token it verified (the token is gone from the request context by the time a grain runs); a
/// call from inside the silos carries no token, so it gets 401 here.
/// </summary>
[StatelessWorker]
public sealed class IdentityGrain : Grain, IIdentityGrain
{
    Task<Caller> IIdentityGrain.WhoAmIAsync() =>
        throw new StratumException(ErrorCode.Unauthenticated, "Only a call from a client carries a bearer token to name its caller.");
}

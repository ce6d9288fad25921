namespace Stratum.Client;

/// <summary>
/// Makes a call to Stratum's grains carry the client's own token when no forwarded token is in
/// force. Calls to Orleans' own grains (stream pub-sub, management) get none: they are not Stratum's.
/// </summary>
internal sealed class ClientTokenFilter(string token) : IOutgoingGrainCallFilter
{
    private static readonly System.Reflection.Assembly Contract = typeof(Caller).Assembly;

    public Task Invoke(IOutgoingGrainCallContext context) =>
        BearerToken.Current is null && context.Request.GetInterfaceType().Assembly == Contract ? InvokeWithTokenAsync(context) : context.Invoke();

    private async Task InvokeWithTokenAsync(IOutgoingGrainCallContext context)
    {
        using (BearerToken.Use(token))
        {
            await context.Invoke();
        }
    }
}

using System.Collections.Concurrent;
using System.Reflection;
using Stratum.Security;

namespace Stratum.Access;

/// <summary>
/// Stands at the door of every grain of Stratum for calls that come from clients: processes
/// outside the silos (the gateway, other .NET services, tools) that reach them through a silo's
/// gateway. Such a call is served only when it goes through a public interface of
/// Stratum.Abstractions, carries a bearer token (<see cref="BearerToken"/>) that the shared
/// <see cref="TokenValidator"/> accepts, and every <see cref="Caller"/> argument is that token's
/// caller; the <see cref="Authorizer"/> then decides from that caller as for any other. Calls between
/// grains and calls made inside a silo are trusted. Grains outside Stratum.Grains are not Stratum's
/// and pass: Orleans' own grains and system targets (membership, stream pub-sub, management), and
/// the benchmark's ping grain, which only a silo configured for benchmarks hosts
/// (<see cref="Hosting.DiagnosticGrains"/>).
/// </summary>
public sealed class ClientCallGuard(TokenValidator tokens) : IIncomingGrainCallFilter
{
    private static readonly Assembly StratumGrains = typeof(ClientCallGuard).Assembly;
    private static readonly Assembly Contract = typeof(Caller).Assembly;
    private static readonly ConcurrentDictionary<MethodInfo, Door> Doors = new();
    private long _refusals;

    /// <summary>How many client calls this silo refused (a one-way call's refusal reaches no one else).</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!FromClient(context.SourceId) || context.TargetContext.GrainInstance?.GetType().Assembly != StratumGrains)
        {
            return context.Invoke();
        }
        var door = Doors.GetOrAdd(context.InterfaceMethod, Door.Of);
        if (!door.Served)
        {
            return Refuse(StratumException.Denied(
                $"{door.Interface} is internal to the silos; clients call the public interfaces of Stratum.Abstractions."));
        }
        var token = BearerToken.Current;
        var verifying = tokens.ValidateAsync(token);
        return verifying.IsCompletedSuccessfully ? Admit(context, door, token, verifying.Result) : AdmitAsync(context, door, token, verifying);
    }

    private Task Refuse(StratumException refusal)
    {
        Interlocked.Increment(ref _refusals);
        return Task.FromException(refusal);
    }

    private async Task AdmitAsync(IIncomingGrainCallContext context, Door door, string? token, ValueTask<Caller?> verifying) =>
        await Admit(context, door, token, await verifying);

    private Task Admit(IIncomingGrainCallContext context, Door door, string? token, Caller? caller)
    {
        if (caller is null)
        {
            return Refuse(new StratumException(ErrorCode.Unauthenticated, token is null
                ? "A call through the Orleans client needs a bearer token (BearerToken.Use, or StratumClientOptions.Token)."
                : "The bearer token of this call is not valid (unknown, forged or expired)."));
        }
        foreach (var index in door.CallerArguments)
        {
            if (context.Request.GetArgument(index) is not Caller named || named.Subject != caller.Subject)
            {
                return Refuse(StratumException.Denied(
                    $"The call names the caller '{context.Request.GetArgument(index)}' but its bearer token is {caller}'s: a client acts only as its token's caller."));
            }
        }
        // The token has done its work: it must not travel on with the calls and stream events this
        // call causes (a stream event reaches every subscribed client with its request context).
        RequestContext.Remove(BearerToken.RequestContextKey);
        if (door.IsIdentity)
        {
            context.Result = caller;
            return Task.CompletedTask;
        }
        return context.Invoke();
    }

    /// <summary>
    /// A call from outside the silos: a client's id that is not a silo's own hosted client (calls
    /// made by code in a silo that is not a grain, such as startup tasks). No sender is not trusted either.
    /// </summary>
    private static bool FromClient(GrainId? source) =>
        source is not { } id || (id.IsClient() && !id.Key.AsSpan().StartsWith("hosted-"u8));

    private sealed record Door(string Interface, bool Served, bool IsIdentity, int[] CallerArguments)
    {
        public static Door Of(MethodInfo method)
        {
            var type = method.DeclaringType!;
            var callers = method.GetParameters().Where(p => p.ParameterType == typeof(Caller)).Select(p => p.Position).ToArray();
            return new Door(type.Name, type.Assembly == Contract && type.IsVisible, type == typeof(IIdentityGrain), callers);
        }
    }
}

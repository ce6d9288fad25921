using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Invocation;

namespace Stratum.Changes;

/// <summary>
/// Runs in a client process on every call it makes: a caller that made an <see cref="ImageWriteAttribute"/>
/// call, or read an operation that finished with an image, has its following calls marked so that
/// the silos' latest caches step aside for it.
/// </summary>
public sealed class ReadYourWritesFilter(WriteTracker writes) : IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> Writes = new();

    /// <inheritdoc />
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var caller = CallerOf(context.Request);
        var bypass = caller is not null && writes.WroteRecently(caller.Subject) && RequestContext.Get(LatestCache.BypassKey) is null;
        if (bypass)
        {
            RequestContext.Set(LatestCache.BypassKey, true);
        }
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (bypass)
            {
                RequestContext.Remove(LatestCache.BypassKey);
            }
        }
        if (caller is not null && (IsWrite(context.InterfaceMethod) || context.Result is Operation { Done: true, Response: Image }))
        {
            writes.Note(caller.Subject);
        }
    }

    private static bool IsWrite(MethodInfo? method) =>
        method is not null && Writes.GetOrAdd(method, m => m.GetCustomAttribute<ImageWriteAttribute>() is not null);

    private static Caller? CallerOf(IInvokable request)
    {
        for (var i = 0; i < request.GetArgumentCount(); i++)
        {
            if (request.GetArgument(i) is Caller caller)
            {
                return caller;
            }
        }
        return null;
    }
}

/// <summary>Client setup for processes that read latest and want to see their own writes.</summary>
public static class ReadYourWritesClientExtensions
{
    /// <summary>Adds the write tracker and the filter that marks a recent writer's calls.</summary>
    public static IClientBuilder AddStratumReadYourWrites(this IClientBuilder client)
    {
        client.Services.AddSingleton<WriteTracker>();
        client.Services.AddOptions<LatestCacheOptions>();
        client.AddOutgoingGrainCallFilter<ReadYourWritesFilter>();
        return client;
    }
}

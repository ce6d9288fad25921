using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.Extensions.Hosting;

/// <summary>What the runtime spent so far in this process: garbage collections and their pauses, CPU, allocation.</summary>
public sealed record RuntimeReading(double GcPauseMs, int Gen0, int Gen1, int Gen2, double CpuMs, double AllocatedMb)
{
    public static RuntimeReading Now() => new(
        GC.GetTotalPauseDuration().TotalMilliseconds, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        Environment.CpuUsage.TotalTime.TotalMilliseconds, GC.GetTotalAllocatedBytes() / (1024.0 * 1024));
}

public static class RuntimeStatsExtensions
{
    /// <summary>
    /// <c>GET /stats/runtime</c>: this process's <see cref="RuntimeReading"/>, for the load-test tool's
    /// per-process GC pauses. Answered only to callers on the same machine.
    /// </summary>
    public static IEndpointConventionBuilder MapRuntimeStats(this IEndpointRouteBuilder app) =>
        app.MapGet("/stats/runtime", (HttpContext context) => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
            ? Results.Json(RuntimeReading.Now())
            : Results.NotFound()).ExcludeFromDescription();
}

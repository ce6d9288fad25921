using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The failed and slow requests the trace ratio did not pick: after such a request ends (a 5xx, an
/// exception, or at least <c>slow</c>), a server span of its own is exported for it, with its start,
/// duration, method, route, path and status, linked to the trace context the request carried on.
/// Requests that end well and soon cost one timestamp here.
/// </summary>
public sealed class KeptRequests(string sourceName, TimeSpan slow) : IDisposable
{
    /// <summary>The tag a kept request's span is started with, which the sampler always takes.</summary>
    public const string Tag = "stratum.kept";

    private readonly ActivitySource _source = new(sourceName);

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var threw = false;
        try
        {
            await next(context);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            if (Activity.Current is not { Recorded: true } && (status >= 500 || elapsed >= slow))
            {
                Keep(context, Activity.Current, elapsed, status);
            }
        }
    }

    private void Keep(HttpContext context, Activity? request, TimeSpan elapsed, int status)
    {
        // A root of its own: under the request's unsampled span it would be dropped with it.
        Activity.Current = null;
        try
        {
            Export(context, request, elapsed, status);
        }
        finally
        {
            Activity.Current = request;
        }
    }

    private void Export(HttpContext context, Activity? request, TimeSpan elapsed, int status)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/";
        var links = request is null ? null : new[] { new ActivityLink(request.Context) };
        using var span = _source.StartActivity($"{context.Request.Method} {route}", ActivityKind.Server, parentContext: default,
            tags: [new(Tag, status >= 500 ? "failed" : "slow")], links: links, startTime: DateTimeOffset.UtcNow - elapsed);
        if (span is null)
        {
            return;
        }
        span.SetTag("http.request.method", context.Request.Method);
        span.SetTag("http.route", route);
        span.SetTag("url.path", context.Request.Path.Value);
        span.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
        span.SetEndTime(span.StartTimeUtc + elapsed);
    }

    public void Dispose() => _source.Dispose();
}

public static class KeptRequestsExtensions
{
    /// <summary>Keeps the spans of failed and slow requests the trace ratio did not pick; nothing when telemetry is off. Put it first.</summary>
    public static IApplicationBuilder UseKeptRequests(this IApplicationBuilder app) =>
        app.ApplicationServices.GetService<KeptRequests>() is { } kept ? app.Use((context, next) => kept.InvokeAsync(context, next)) : app;
}

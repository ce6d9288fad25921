using System.Globalization;
using System.Text.Json;
using Stratum.Gateway.Auth;
using Stratum.Gateway.Changes;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// <c>GET /compute/v1/images:watchFamily</c>: Server-Sent Events, first the family's current latest,
/// then one <c>latest</c> event per change, each with the family's revision as its id. A client
/// that reconnects with <c>Last-Event-ID</c> gets every change it missed when the family still
/// remembers them, else the current latest. Every change is read through the same authorization
/// as latestByFamily, so a revoked caller gets an <c>error</c> event and the stream ends.
/// </summary>
public static class FamilyWatchEndpoint
{
    public static void Map(RouteGroupBuilder compute) =>
        compute.MapGet("/images:watchFamily", WatchAsync)
            .Produces<FamilyChange>(200, "text/event-stream")
            .WithName("WatchFamily").WithSummary("Watch a family's latest image (Server-Sent Events)")
            .WithDescription("A stream of `id: <revision>`, `event: latest`, `data: <FamilyChange>` events: first the current latest, then one per change "
                + "of the cohort's latest (no `image` when there is none the caller may read). `: heartbeat` comments keep an idle stream open. "
                + "Reconnect with Last-Event-ID to get what was missed (the family keeps its last 256 changes). A caller whose access is revoked "
                + "gets `event: error` with an ErrorBody, and the stream ends.");

    private static async Task WatchAsync(HttpContext http, FamilyWatcher watcher, [AsParameters] FolderQuery folder, [AsParameters] FamilyQuery family,
        [AsParameters] WatchResumeQuery resume)
    {
        var (folderId, name) = (folder.Id, family.Name);
        if (HeadRequests.IsHead(http))
        {
            await watcher.StartAsync(http.Caller(), folderId, name, LastEventId(resume), family.Cohort, new EventStream(http.Response), http.RequestAborted);
            return;
        }
        await watcher.RunAsync(http.Caller(), folderId, name, LastEventId(resume), family.Cohort, new EventStream(http.Response), http.RequestAborted);
    }

    /// <summary>The watch as Server-Sent Events: <c>id</c> is the revision, <c>event: latest</c>, the change as JSON.</summary>
    private sealed class EventStream(HttpResponse response) : IFamilyWatchSink
    {
        public Task StartAsync(CancellationToken aborted)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            return Task.CompletedTask;
        }

        public Task SendAsync(FamilyChange change, CancellationToken aborted)
        {
            var data = JsonSerializer.Serialize(change, ContractJson.Options);
            return response.WriteAsync($"id: {change.Revision.ToString(CultureInfo.InvariantCulture)}\nevent: latest\ndata: {data}\n\n", aborted);
        }

        public Task FlushAsync(CancellationToken aborted) => response.Body.FlushAsync(aborted);

        public async Task HeartbeatAsync(CancellationToken aborted)
        {
            await response.WriteAsync(": heartbeat\n\n", aborted);
            await response.Body.FlushAsync(aborted);
        }

        public Task EndAsync(StratumException error, CancellationToken aborted)
        {
            var body = JsonSerializer.Serialize(new ErrorBody(error.Code, error.Message, []), ContractJson.Options);
            return response.WriteAsync($"event: error\ndata: {body}\n\n", aborted);
        }
    }

    private static long? LastEventId(WatchResumeQuery resume)
    {
        // The header wins; a refusal names whichever the value came from.
        var (name, value) = Query.Text(resume.LastEventIdHeader) is { } header ? ("Last-Event-ID", header) : ("lastEventId", Query.Text(resume.LastEventId));
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : throw StratumException.Invalid($"{name} '{EchoedText.Shorten(value)}' is not a revision this API sent (a non-negative integer).");
    }
}

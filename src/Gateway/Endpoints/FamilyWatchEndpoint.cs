using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stratum.Changes;
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
        compute.MapGet("/images:watchFamily", WatchAsync).Produces(200, contentType: "text/event-stream");

    private static async Task WatchAsync(HttpContext http, IGrainFactory grains, FamilyWatchHub hub, LatestCache cache, IOptions<WatchOptions> options)
    {
        var caller = http.Caller();
        var folderId = ImageEndpoints.FolderId(RequestReader.Required(http.Request, "folderId"));
        var family = RequestReader.Required(http.Request, "family");
        var after = LastEventId(http.Request);
        var cohortKey = RequestReader.Optional(http.Request, "cohortKey");
        var catalog = grains.GetGrain<IImageCatalogGrain>(0);
        var aborted = http.RequestAborted;

        // Listen before the first read, so a change between the two is not missed.
        using var watch = hub.Open(folderId);
        var changes = await catalog.WatchFamilyAsync(caller, folderId, family, after, cohortKey);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var sent = await WriteAsync(http.Response, changes, after, aborted);
        while (!aborted.IsCancellationRequested)
        {
            if (!await watch.WaitAsync(options.Value.HeartbeatInterval, aborted))
            {
                await http.Response.WriteAsync(": heartbeat\n\n", aborted);
                await http.Response.Body.FlushAsync(aborted);
                if (cache.IsFresh)
                {
                    continue;
                }
                // The feed is quiet for too long: it may be stuck, so look for changes anyway.
            }
            try
            {
                changes = await catalog.WatchFamilyAsync(caller, folderId, family, sent, cohortKey);
            }
            catch (StratumException e)
            {
                var error = JsonSerializer.Serialize(new ErrorBody((int)e.Code, e.Message, []), ContractJson.Options);
                await http.Response.WriteAsync($"event: error\ndata: {error}\n\n", aborted);
                return;
            }
            sent = await WriteAsync(http.Response, changes, sent, aborted);
        }
    }

    /// <summary>Writes the changes newer than <paramref name="sent"/> and returns the revision the client now has.</summary>
    private static async Task<long?> WriteAsync(HttpResponse response, FamilyChanges changes, long? sent, CancellationToken aborted)
    {
        foreach (var change in changes.Changes)
        {
            // After a gap the one change is the current state, sent whatever the client claimed to have.
            if (!changes.Complete || sent is null || change.Revision > sent)
            {
                var data = JsonSerializer.Serialize(change, ContractJson.Options);
                await response.WriteAsync($"id: {change.Revision.ToString(CultureInfo.InvariantCulture)}\nevent: latest\ndata: {data}\n\n", aborted);
            }
        }
        await response.Body.FlushAsync(aborted);
        return changes.Revision;
    }

    private static long? LastEventId(HttpRequest request)
    {
        var value = request.Headers["Last-Event-ID"].FirstOrDefault() ?? RequestReader.Optional(request, "lastEventId");
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : throw StratumException.Invalid($"Last-Event-ID '{value}' is not a revision this API sent (a non-negative integer).");
    }
}

using Microsoft.Extensions.Options;
using Stratum.Changes;

namespace Stratum.Gateway.Changes;

/// <summary>Where a family watch writes: Server-Sent Events on REST, a server stream on gRPC.</summary>
public interface IFamilyWatchSink
{
    /// <summary>The first read succeeded: the stream begins (errors before this are the request's own).</summary>
    Task StartAsync(CancellationToken aborted);

    Task SendAsync(FamilyChange change, CancellationToken aborted);

    Task FlushAsync(CancellationToken aborted);

    /// <summary>Nothing happened for a while (REST writes a comment line to keep the connection).</summary>
    Task HeartbeatAsync(CancellationToken aborted);

    /// <summary>The caller may no longer see the family (access revoked): the watch ends with this error.</summary>
    Task EndAsync(StratumException error, CancellationToken aborted);
}

/// <summary>
/// The loop behind every family watch: first the family's current latest (or the changes after
/// the caller's revision), then each change of it, read through the same authorization as
/// latestByFamily whenever something in the folder changed (or, while the change feed is quiet
/// for too long, at every heartbeat).
/// </summary>
public sealed class FamilyWatcher(IGrainFactory grains, FamilyWatchHub hub, LatestCache cache, IOptions<WatchOptions> options)
{
    /// <summary>Runs one watch until the caller leaves; <paramref name="cohortKey"/> is whose rollout cohort it follows (null: the caller's own).</summary>
    public async Task RunAsync(Caller caller, string folderId, string family, long? after, string? cohortKey, IFamilyWatchSink sink, CancellationToken aborted)
    {
        var catalog = grains.Cached<IImageCatalogGrain>(0);
        // Listen before the first read, so a change between the two is not missed.
        using var watch = hub.Open(folderId);
        var changes = await StartAsync(caller, folderId, family, after, cohortKey, sink, aborted);
        var sent = await WriteAsync(sink, changes, after, aborted);
        while (!aborted.IsCancellationRequested)
        {
            if (!await watch.WaitAsync(options.Value.HeartbeatInterval, aborted))
            {
                await sink.HeartbeatAsync(aborted);
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
                await sink.EndAsync(e, aborted);
                return;
            }
            sent = await WriteAsync(sink, changes, sent, aborted);
        }
    }

    /// <summary>
    /// A watch's start without its stream (for HEAD): the first read, which refuses a caller, folder
    /// or family as the watch would, and the stream's headers.
    /// </summary>
    public async Task<FamilyChanges> StartAsync(Caller caller, string folderId, string family, long? after, string? cohortKey, IFamilyWatchSink sink, CancellationToken aborted)
    {
        var changes = await grains.Cached<IImageCatalogGrain>(0).WatchFamilyAsync(caller, folderId, family, after, cohortKey);
        await sink.StartAsync(aborted);
        return changes;
    }

    /// <summary>Writes the changes newer than <paramref name="sent"/> and returns the revision the client now has.</summary>
    private static async Task<long?> WriteAsync(IFamilyWatchSink sink, FamilyChanges changes, long? sent, CancellationToken aborted)
    {
        foreach (var change in changes.Changes)
        {
            // After a gap the one change is the current state, sent whatever the client claimed to have.
            if (!changes.Complete || sent is null || change.Revision > sent)
            {
                await sink.SendAsync(change, aborted);
            }
        }
        await sink.FlushAsync(aborted);
        return changes.Revision;
    }
}

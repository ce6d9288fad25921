namespace Stratum.Changes;

/// <summary>How a consumer of the change feed hands each event to its latest cache.</summary>
public static class FeedConsumer
{
    /// <summary>
    /// Applies an event; false when it was a duplicate. Any event that arrives proves the feed is
    /// flowing, as a pulse does (one queue, in order: everything published before it has arrived),
    /// so news counts as a pulse too and silos need not pulse while news flows.
    /// </summary>
    public static bool ApplyFromFeed(this LatestCache cache, ChangeEvent change)
    {
        if (!cache.Apply(change))
        {
            return false;
        }
        if (change.Kind != ChangeKind.Pulse)
        {
            // A pulse of its own id, derived from the event's, so a redelivered event adds none.
            cache.Apply(change with { Id = change.Id + "/flowing", Kind = ChangeKind.Pulse, FolderId = null });
        }
        return true;
    }
}

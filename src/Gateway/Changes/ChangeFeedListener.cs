using Stratum.Changes;
using Stratum.Client;

namespace Stratum.Gateway.Changes;

/// <summary>
/// The gateway's one subscription to the change feed: each event, once (duplicates dropped by the
/// cache), updates the gateway's latest cache and wakes the family watchers of its folder.
/// </summary>
public sealed class ChangeFeedListener(IClusterClient client, LatestCache cache, FamilyWatchHub watchers, ILogger<ChangeFeedListener> logger)
    : ChangeFeedSubscriber(client, logger)
{
    protected override void OnChange(ChangeEvent change)
    {
        if (cache.ApplyFromFeed(change) && change.FolderId is not null)
        {
            watchers.Notify(change);
        }
    }
}

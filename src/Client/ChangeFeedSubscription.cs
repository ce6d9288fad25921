using Microsoft.Extensions.Logging;
using Stratum.Changes;

namespace Stratum.Client;

/// <summary>The client's subscription to the change feed: every event goes to the client-side latest cache.</summary>
internal sealed class ChangeFeedSubscription(IClusterClient client, LatestCache cache, ILogger<ChangeFeedSubscription> logger)
    : ChangeFeedSubscriber(client, logger)
{
    protected override void OnChange(ChangeEvent change) => cache.Apply(change);
}

namespace Stratum.Changes;

/// <summary>Where change events flow: one Orleans stream, memory-backed in one process, Azure Queue-backed in a cluster.</summary>
public static class ChangeFeed
{
    /// <summary>The name of the stream provider every silo and every listening client configures.</summary>
    public const string ProviderName = "stratum-changes";

    /// <summary>
    /// Every change goes on this one stream. It maps to one queue, which keeps events in the order
    /// they were published, so a pulse that arrives proves that everything published before it has arrived too.
    /// Image changes are rare next to reads, so one queue is plenty.
    /// </summary>
    public static readonly StreamId Stream = StreamId.Create("stratum", "changes");

    /// <summary>
    /// The queue behind the stream on Azure Storage, one per cluster: clusters that share a storage
    /// account must not take each other's events.
    /// </summary>
    public static string QueueName(string clusterId)
    {
        var name = System.Text.RegularExpressions.Regex.Replace(clusterId.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        return $"{(name.Length > 40 ? name[..40].TrimEnd('-') : name)}-changes";
    }
}

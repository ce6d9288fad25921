namespace Stratum.Deployment;

/// <summary>How disks, snapshots and instances are stored. Configuration section <c>Stratum:Deployment</c>.</summary>
public sealed class DeploymentOptions
{
    public const string Section = "Stratum:Deployment";

    /// <summary>
    /// Writer shards per folder, fixed for a folder when it first deploys. Each shard batches the
    /// rows of its creates and deletes into one table transaction, and holds its share of every
    /// base layer's reference set; 1 is the naive single-writer design.
    /// </summary>
    public int Shards { get; set; } = 8;

    /// <summary>The table of disk, snapshot, instance and operation rows.</summary>
    public string Table { get; set; } = "stratumcompute";
}

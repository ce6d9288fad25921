namespace Stratum.Deployment;

/// <summary>How disks, snapshots and instances are stored. Configuration section <c>Stratum:Deployment</c>.</summary>
public sealed class DeploymentOptions
{
    public const string Section = "Stratum:Deployment";

    /// <summary>
    /// Writer shards per folder, fixed for a folder when it first deploys. Each shard batches the
    /// rows of its creates and deletes into one table transaction, and holds its share of every
    /// base layer's reference set; 1 is the naive single-writer design. Four, not eight: at the
    /// load tool's 256 concurrent creates, four shards' batches held ~20 VMs against ~11, so a VM
    /// cost half the table transactions (each a billed storage request) and the storage emulator
    /// 17 % less CPU; one shard still commits up to 33 VMs per transaction, so four are far from a
    /// folder's limit (Azure's ~2,000 entities per second per partition).
    /// </summary>
    public int Shards { get; set; } = 4;

    /// <summary>The table of disk, snapshot, instance and operation rows.</summary>
    public string Table { get; set; } = "stratumcompute";
}

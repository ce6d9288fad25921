namespace Stratum;

/// <summary>
/// Disks, snapshots and instances (a stateless worker). They are not a grain each: they are rows
/// written in batches by per-folder shard grains, so 100,000 VMs in one folder stay fast and cheap.
/// </summary>
[Alias("Stratum.IComputeGrain")]
public interface IComputeGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a disk; done when it is durable.</summary>
    [Alias("CreateDisk")] Task<Operation> CreateDiskAsync(Caller caller, CreateDiskRequest request, string? idempotencyKey);
    /// <summary>Reads a disk.</summary>
    [Alias("GetDisk")] Task<Disk> GetDiskAsync(Caller caller, string diskId);
    /// <summary>The disks of a folder.</summary>
    [Alias("ListDisks")] Task<Page<Disk>> ListDisksAsync(Caller caller, string folderId, ListQuery query);
    /// <summary>Deletes a disk; refused while attached.</summary>
    [Alias("DeleteDisk")] Task<Operation> DeleteDiskAsync(Caller caller, string diskId, string? idempotencyKey);

    /// <summary>Creates a snapshot of a disk.</summary>
    [Alias("CreateSnapshot")] Task<Operation> CreateSnapshotAsync(Caller caller, CreateSnapshotRequest request, string? idempotencyKey);
    /// <summary>Reads a snapshot.</summary>
    [Alias("GetSnapshot")] Task<Snapshot> GetSnapshotAsync(Caller caller, string snapshotId);
    /// <summary>The snapshots of a folder.</summary>
    [Alias("ListSnapshots")] Task<Page<Snapshot>> ListSnapshotsAsync(Caller caller, string folderId, ListQuery query);
    /// <summary>Deletes a snapshot.</summary>
    [Alias("DeleteSnapshot")] Task<Operation> DeleteSnapshotAsync(Caller caller, string snapshotId, string? idempotencyKey);

    /// <summary>Creates an instance with its boot disk.</summary>
    [Alias("CreateInstance")] Task<Operation> CreateInstanceAsync(Caller caller, CreateInstanceRequest request, string? idempotencyKey);
    /// <summary>Creates many instances in one operation.</summary>
    [Alias("BulkCreateInstances")] Task<Operation> BulkCreateInstancesAsync(Caller caller, BulkCreateInstancesRequest request, string? idempotencyKey);
    /// <summary>Reads an instance.</summary>
    [Alias("GetInstance")] Task<Instance> GetInstanceAsync(Caller caller, string instanceId);
    /// <summary>The instances of a folder.</summary>
    [Alias("ListInstances")] Task<Page<Instance>> ListInstancesAsync(Caller caller, string folderId, ListQuery query);
    /// <summary>Deletes an instance, and its boot disk when autoDelete.</summary>
    [Alias("DeleteInstance")] Task<Operation> DeleteInstanceAsync(Caller caller, string instanceId, string? idempotencyKey);

    /// <summary>The operations of a disk, snapshot or instance that still exists (its create; a delete ends it).</summary>
    [Alias("ListOperations")] Task<IReadOnlyList<Operation>> ListOperationsAsync(Caller caller, string resourceId);

    /// <summary>Reads a base layer: its exact holders.</summary>
    [Alias("GetLayer")] Task<Layer> GetLayerAsync(Caller caller, string layerId);
}

using Azure.Data.Tables;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>A create that reads no existing row: a disk, or an instance with its new boot disk.</summary>
    private Prepared PrepareCreate(Pending item)
    {
        var command = item.Command;
        var disk = command.Disk! with { Status = DiskStatus.Ready };
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, ShardRows.Disk(disk, command.DiskOs, command.OperationId, command.DataBlob, command.DataBytes)) };
        var delta = Delta.ForDisk(disk, +1);
        object resource = disk;
        var (key, id) = ("diskId", disk.Id);
        if (command.Instance is { } instance)
        {
            resource = instance with { Status = InstanceStatus.Running };
            actions.Add(new(TableTransactionActionType.Add, ShardRows.Instance((Instance)resource, command.OperationId)));
            delta.Add(QuotaNames.InstancesCount, 1);
            (key, id) = ("instanceId", instance.Id);
        }
        return Finish(item, actions, delta, key, id, resource, []);
    }

    /// <summary>A command that reads the rows it changes; the rows live in this shard's home partition.</summary>
    private async Task<Prepared?> PrepareAsync(Pending item)
    {
        var command = item.Command;
        var target = command.TargetId is { } targetId ? await rows.GetAsync(targetId) : null;
        if (command.TargetId is not null && (target is null || target.GetString("FolderId") != _folderId))
        {
            var kind = command.Kind is CommandKind.DeleteInstance ? "instance" : command.Kind is CommandKind.DeleteSnapshot ? "snapshot" : "disk";
            item.Done.TrySetResult(CommandOutcome.Failed(StratumException.NotFound(kind, command.TargetId)));
            return null;
        }
        return command.Kind switch
        {
            CommandKind.CreateInstance => AttachExistingDisk(item, target!),
            CommandKind.CreateSnapshot => SnapshotOf(item, target!),
            CommandKind.DeleteDisk => DeleteDisk(item, target!),
            CommandKind.DeleteSnapshot => DeleteSnapshot(item, target!),
            CommandKind.DeleteInstance => await DeleteInstanceAsync(item, target!),
            _ => throw new InvalidOperationException($"{command.Kind} is batchable"),
        };
    }

    private Prepared? AttachExistingDisk(Pending item, TableEntity diskRow)
    {
        var disk = ComputeRows.Read<Disk>(diskRow);
        if (disk.InstanceId is { } other)
        {
            return Refuse(item, StratumException.Precondition($"Disk '{disk.Id}' is attached to instance '{other}'."));
        }
        var instance = item.Command.Instance! with { Status = InstanceStatus.Running };
        var attached = disk with { InstanceId = instance.Id };
        return Finish(item,
        [
            new(TableTransactionActionType.UpdateReplace, ShardRows.Disk(attached, diskRow), diskRow.ETag),
            new(TableTransactionActionType.Add, ShardRows.Instance(instance, item.Command.OperationId)),
        ], new Delta().Add(QuotaNames.InstancesCount, 1), "instanceId", instance.Id, instance, []);
    }

    private Prepared SnapshotOf(Pending item, TableEntity diskRow)
    {
        var snapshot = item.Command.Snapshot! with { Status = DiskStatus.Ready };
        return Finish(item, [new(TableTransactionActionType.Add, ShardRows.Snapshot(snapshot, item.Command.OperationId, item.Command.DataBlob))],
            Delta.ForSnapshot(snapshot, +1), "snapshotId", snapshot.Id, snapshot, []);
    }

    private Prepared? DeleteDisk(Pending item, TableEntity diskRow)
    {
        var disk = ComputeRows.Read<Disk>(diskRow);
        if (disk.InstanceId is { } instanceId)
        {
            return Refuse(item, StratumException.Precondition($"Disk '{disk.Id}' is attached to instance '{instanceId}'; delete the instance or detach the disk first."));
        }
        return Finish(item, [new(TableTransactionActionType.Delete, diskRow, diskRow.ETag)], Delta.ForDisk(disk, -1),
            "diskId", disk.Id, EmptyResponse.Instance, OwnBlob(diskRow, disk.Id));
    }

    private Prepared DeleteSnapshot(Pending item, TableEntity snapshotRow)
    {
        var snapshot = ComputeRows.Read<Snapshot>(snapshotRow);
        return Finish(item, [new(TableTransactionActionType.Delete, snapshotRow, snapshotRow.ETag)], Delta.ForSnapshot(snapshot, -1),
            "snapshotId", snapshot.Id, EmptyResponse.Instance, OwnBlob(snapshotRow, snapshot.Id));
    }

    private async Task<Prepared?> DeleteInstanceAsync(Pending item, TableEntity instanceRow)
    {
        var instance = ComputeRows.Read<Instance>(instanceRow);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Delete, instanceRow, instanceRow.ETag) };
        var delta = new Delta().Add(QuotaNames.InstancesCount, -1);
        var freed = new List<string>();
        if (await rows.GetAsync(instance.BootDisk.DiskId) is { } diskRow)
        {
            var disk = ComputeRows.Read<Disk>(diskRow);
            if (instance.BootDisk.AutoDelete)
            {
                actions.Add(new(TableTransactionActionType.Delete, diskRow, diskRow.ETag));
                delta.Plus(Delta.ForDisk(disk, -1));
                freed.AddRange(OwnBlob(diskRow, disk.Id));
            }
            else
            {
                actions.Add(new(TableTransactionActionType.UpdateReplace,
                    ShardRows.Disk(disk with { InstanceId = null }, diskRow), diskRow.ETag));
            }
        }
        return Finish(item, actions, delta, "instanceId", instance.Id, EmptyResponse.Instance, freed);
    }

    private Prepared Finish(Pending item, List<TableTransactionAction> actions, Delta delta, string key, string id, object response, IReadOnlyList<string> freedBlobs)
    {
        var command = item.Command;
        if (command.WithoutOperationRow)
        {
            return new Prepared(item, actions, delta, new CommandOutcome(null, null, response), freedBlobs);
        }
        var operation = ShardRows.Done(command, _folderId, key, id, response);
        actions.Add(new(TableTransactionActionType.Add, ComputeRows.OperationRow(operation, _folderId)));
        if (command.ClaimHash is { } claimHash)
        {
            actions.Add(new(TableTransactionActionType.Add, ShardRows.Claim(_home, claimHash, command.Fingerprint!, command.OperationId)));
        }
        return new Prepared(item, actions, delta, new CommandOutcome(operation, null, response), freedBlobs);
    }

    /// <summary>The blob a resource owns (named by its id), to delete with it; a layer is freed by the layer.</summary>
    private static string[] OwnBlob(TableEntity row, string id) => row.GetString("DataBlob") == id ? [id] : [];

    private static Prepared? Refuse(Pending item, StratumException error)
    {
        item.Done.TrySetResult(CommandOutcome.Failed(error));
        return null;
    }
}

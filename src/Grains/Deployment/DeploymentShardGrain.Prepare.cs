using Azure.Data.Tables;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>A create that reads no existing row: a disk, or an instance with its new boot disk.</summary>
    private Prepared PrepareCreate(Pending item)
    {
        var command = item.Command;
        var disk = command.Disk! with { Status = DiskStatus.Ready };
        var diskRow = ShardRows.Disk(disk, command.DiskOs, command.OperationId, command.DataBlob, command.DataBytes);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, diskRow) };
        var delta = Delta.ForDisk(disk, +1);
        if (command.Instance is { } instance)
        {
            var running = instance with { Status = InstanceStatus.Running };
            var instanceRow = ShardRows.Instance(running, command.OperationId);
            actions.Add(new(TableTransactionActionType.Add, instanceRow));
            delta.Add(QuotaNames.InstancesCount, 1);
            return Finish(item, actions, delta, "instanceId", instance.Id, running, [], instanceRow);
        }
        return Finish(item, actions, delta, "diskId", disk.Id, disk, [], diskRow);
    }

    /// <summary>A command that reads the rows it changes; the rows live in this shard's home partition.</summary>
    private async Task<Prepared?> PrepareAsync(Pending item)
    {
        var command = item.Command;
        // A keyed command whose key this shard decides is answered by its claim first: a retry of an
        // attach found its disk attached (by its own first attempt) and was refused with 400.
        if (command.ClaimHash is not null && await ClaimedAsync(command) is { } claimed)
        {
            item.Done.TrySetResult(claimed);
            return null;
        }
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
        var instanceRow = ShardRows.Instance(instance, item.Command.OperationId);
        return Finish(item,
        [
            new(TableTransactionActionType.UpdateReplace, ShardRows.Disk(attached, diskRow), diskRow.ETag),
            new(TableTransactionActionType.Add, instanceRow),
        ], new Delta().Add(QuotaNames.InstancesCount, 1), "instanceId", instance.Id, instance, [], instanceRow);
    }

    private Prepared SnapshotOf(Pending item, TableEntity diskRow)
    {
        var snapshot = item.Command.Snapshot! with { Status = DiskStatus.Ready };
        var snapshotRow = ShardRows.Snapshot(snapshot, item.Command.OperationId, item.Command.DataBlob);
        return Finish(item, [new(TableTransactionActionType.Add, snapshotRow)], Delta.ForSnapshot(snapshot, +1), "snapshotId", snapshot.Id, snapshot, [], snapshotRow);
    }

    private Prepared? DeleteDisk(Pending item, TableEntity diskRow)
    {
        var disk = ComputeRows.Read<Disk>(diskRow);
        if (disk.InstanceId is { } instanceId)
        {
            return Refuse(item, StratumException.Precondition($"Disk '{disk.Id}' is attached to instance '{instanceId}'; delete the instance or detach the disk first."));
        }
        return Finish(item, [new(TableTransactionActionType.Delete, diskRow, diskRow.ETag), .. KeepCreateOperation(diskRow)], Delta.ForDisk(disk, -1),
            "diskId", disk.Id, EmptyResponse.Instance, OwnBlob(diskRow, disk.Id));
    }

    private Prepared DeleteSnapshot(Pending item, TableEntity snapshotRow)
    {
        var snapshot = ComputeRows.Read<Snapshot>(snapshotRow);
        return Finish(item, [new(TableTransactionActionType.Delete, snapshotRow, snapshotRow.ETag), .. KeepCreateOperation(snapshotRow)], Delta.ForSnapshot(snapshot, -1),
            "snapshotId", snapshot.Id, EmptyResponse.Instance, OwnBlob(snapshotRow, snapshot.Id));
    }

    private async Task<Prepared?> DeleteInstanceAsync(Pending item, TableEntity instanceRow)
    {
        var instance = ComputeRows.Read<Instance>(instanceRow);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Delete, instanceRow, instanceRow.ETag) };
        actions.AddRange(KeepCreateOperation(instanceRow));
        var delta = new Delta().Add(QuotaNames.InstancesCount, -1);
        var freed = new List<string>();
        if (await rows.GetAsync(instance.BootDisk.DiskId) is { } diskRow)
        {
            var disk = ComputeRows.Read<Disk>(diskRow);
            if (instance.BootDisk.AutoDelete)
            {
                actions.Add(new(TableTransactionActionType.Delete, diskRow, diskRow.ETag));
                actions.AddRange(KeepCreateOperation(diskRow));
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

    /// <summary>
    /// Adds the operation. A create's operation is its resource's row (named after it); a delete's
    /// is a row of its own. A keyed command's claim, naming the operation, is a row too. All commit
    /// in the same transaction as the change, so a claim found names an operation that can be found.
    /// </summary>
    private Prepared Finish(Pending item, List<TableTransactionAction> actions, Delta delta, string key, string id, object response,
        IReadOnlyList<string> freedBlobs, TableEntity? createdRow = null)
    {
        var command = item.Command;
        if (command.WithoutOperationRow)
        {
            return new Prepared(item, actions, delta, new CommandOutcome(null, null, response), freedBlobs);
        }
        var operation = ShardRows.Done(command, _folderId, key, id, response);
        if (createdRow is not null)
        {
            createdRow["OpDescription"] = command.Description;
            createdRow["OpCreatedBy"] = command.CreatedBy;
        }
        else
        {
            actions.Add(new(TableTransactionActionType.Add, ComputeRows.OperationRow(operation, _folderId)));
        }
        if (command.ClaimHash is { } claimHash)
        {
            // Added, never replaced: a key claimed before (a retry, or a reuse) refuses the whole
            // transaction, and the refusal is explained from the claim (ExplainConflictAsync).
            actions.Add(new(TableTransactionActionType.Add, ShardRows.Claim(_home, claimHash, command.Fingerprint!, command.OperationId)));
        }
        return new Prepared(item, actions, delta, new CommandOutcome(operation, null, response), freedBlobs);
    }

    /// <summary>
    /// A create's operation is read from its resource's row, so deleting the row lost it: GET
    /// /operations/{id} became 404 (unless read before), also for the id a keyed retry answers with.
    /// The delete writes it as a row of its own, in the same partition and transaction. Rows of a
    /// bulk create carry no operation of their own (theirs is the bulk operation's).
    /// </summary>
    private static TableTransactionAction[] KeepCreateOperation(TableEntity resourceRow) =>
        resourceRow.GetString("OpDescription") is null
            ? []
            : [new(TableTransactionActionType.UpsertReplace, ComputeRows.OperationRow(ComputeRows.OperationFromResourceRow(resourceRow), resourceRow.GetString("FolderId")))];

    /// <summary>The blob a resource owns (named by its id), to delete with it; a layer is freed by the layer.</summary>
    private static string[] OwnBlob(TableEntity row, string id) =>
        row.GetString("DataBlob") is { } blob && blob.StartsWith(id, StringComparison.Ordinal) ? [blob] : [];

    private static Prepared? Refuse(Pending item, StratumException error)
    {
        item.Done.TrySetResult(CommandOutcome.Failed(error));
        return null;
    }
}

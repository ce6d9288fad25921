using Azure.Data.Tables;

namespace Stratum.Deployment;

/// <summary>The rows a shard writes for its resources, their operations and idempotency claims.</summary>
public static class ShardRows
{
    /// <summary>A disk row; where its data is (its own blob, a layer, or none for an empty disk) rides along unexposed.</summary>
    public static TableEntity Disk(Disk disk, OsType os, string operationId, string? dataBlob, long dataBytes)
    {
        var row = ComputeRows.Row(disk.FolderId, ComputeRows.DiskKind, disk.Id, disk.Name, ContractNames.Of(disk.Status), disk);
        row["LayerId"] = disk.LayerId ?? "";
        row["InstanceId"] = disk.InstanceId ?? "";
        row["OsType"] = ContractNames.Of(os);
        row["OperationId"] = operationId;
        row["DataBlob"] = dataBlob ?? "";
        row["DataBytes"] = dataBytes;
        return row;
    }

    /// <summary>
    /// The same disk row with new contents, keeping what rides along: its create operation too (an
    /// attached or detached disk's create operation was no longer found: the rewrite dropped it).
    /// </summary>
    public static TableEntity Disk(Disk disk, TableEntity previous)
    {
        var row = Disk(disk, OsOf(previous), previous.GetString("OperationId"), previous.GetString("DataBlob"), previous.GetInt64("DataBytes") ?? 0);
        foreach (var column in new[] { "OpDescription", "OpCreatedBy" })
        {
            if (previous.GetString(column) is { } value)
            {
                row[column] = value;
            }
        }
        return row;
    }

    public static TableEntity Instance(Instance instance, string operationId)
    {
        var row = ComputeRows.Row(instance.FolderId, ComputeRows.InstanceKind, instance.Id, instance.Name, ContractNames.Of(instance.Status), instance);
        row["OperationId"] = operationId;
        return row;
    }

    public static TableEntity Snapshot(Snapshot snapshot, string operationId, string? dataBlob)
    {
        var row = ComputeRows.Row(snapshot.FolderId, ComputeRows.SnapshotKind, snapshot.Id, snapshot.Name, ContractNames.Of(snapshot.Status), snapshot);
        row["LayerId"] = snapshot.LayerId ?? "";
        row["OperationId"] = operationId;
        row["DataBlob"] = dataBlob ?? "";
        return row;
    }

    /// <summary>The row keys of claim rows start with this; <see cref="ClaimPrefixEnd"/> is the first key after them.</summary>
    public const string ClaimPrefix = "idem|", ClaimPrefixEnd = "idem}";

    /// <summary>
    /// An Idempotency-Key's claim in a folder: the first request's fingerprint and operation id, nothing
    /// more. A retry is answered with that operation as <see cref="ComputeRows.FindOperationAsync"/>
    /// finds it (the resource's row, or the operation's own row, which a delete keeps for the create
    /// it undoes). It lives in the home partition of the key's shard (<see cref="KeyShard"/>), the one
    /// place that decides the key. (Claims held the finished operation and its resource too: a third
    /// of the bytes a deployed VM cost in storage, read back only by retries.)
    /// </summary>
    public static TableEntity Claim(int home, string claimHash, string fingerprint, string operationId) =>
        new(Placement.PartitionKey(home), ClaimPrefix + claimHash) { ["Fingerprint"] = fingerprint, ["OperationId"] = operationId };

    /// <summary>The operation a claim written by an earlier version holds (with its resource); null for claims written now.</summary>
    public static Operation? OperationHeldBy(TableEntity claim) => claim.GetString("Data") is null ? null : ComputeRows.ReadOperation(claim);

    /// <summary>The shard of a folder whose partition holds a key's claim: every mutation with that key is decided there.</summary>
    public static int KeyShard(string claimHash, int shards) => (int)(Convert.ToUInt32(claimHash[..8], 16) % (uint)shards);

    public static OsType OsOf(TableEntity diskRow) =>
        diskRow.GetString("OsType") == ContractNames.Of(OsType.Windows) ? OsType.Windows : OsType.Linux;

    /// <summary>
    /// A finished operation. A create's is dated by the resource it made, as its later reads are (they
    /// rebuild it from the resource's row, <see cref="ComputeRows.OperationFromResourceRow"/>): the answer to
    /// the create and a later GET told two times apart by the ~20 ms the shard took.
    /// </summary>
    public static Operation Done(ShardCommand command, string folderId, string resourceKey, string resourceId, object response)
    {
        var at = response switch
        {
            // Only a create answers with a resource (a delete with an empty response).
            Disk disk => disk.CreatedAt,
            Instance instance => instance.CreatedAt,
            Snapshot snapshot => snapshot.CreatedAt,
            _ => DateTimeOffset.UtcNow,
        };
        var sourceDiskId = command.Kind == CommandKind.CreateSnapshot ? command.TargetId : null;
        return new Operation(command.OperationId, command.Description, at, command.CreatedBy, at, true,
            Metadata(command.Kind, folderId, resourceKey, resourceId, sourceDiskId), Response: response);
    }

    /// <summary>
    /// An operation's metadata: its folder, its resource, and (a snapshot's) the disk it was taken
    /// of, under the type of the call (see <see cref="OperationTypes"/>). The resource comes first.
    /// </summary>
    public static Dictionary<string, string> Metadata(CommandKind kind, string folderId, string resourceKey, string resourceId, string? sourceDiskId = null)
    {
        var metadata = new Dictionary<string, string> { ["folderId"] = folderId, [resourceKey] = resourceId };
        if (sourceDiskId is not null)
        {
            metadata["diskId"] = sourceDiskId;
        }
        metadata[OperationTypes.Key] = kind switch
        {
            CommandKind.CreateDisk => OperationTypes.CreateDisk,
            CommandKind.CreateInstance => OperationTypes.CreateInstance,
            CommandKind.CreateSnapshot => OperationTypes.CreateSnapshot,
            CommandKind.DeleteDisk => OperationTypes.DeleteDisk,
            CommandKind.DeleteInstance => OperationTypes.DeleteInstance,
            _ => OperationTypes.DeleteSnapshot,
        };
        return metadata;
    }
}

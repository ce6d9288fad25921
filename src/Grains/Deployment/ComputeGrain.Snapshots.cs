using Stratum.Access;

namespace Stratum.Deployment;

public sealed partial class ComputeGrain
{
    async Task<Operation> IComputeGrain.CreateSnapshotAsync(Caller caller, CreateSnapshotRequest request, string? idempotencyKey)
    {
        ComputeRules.Validate(request);
        await DemandFolderAsync(caller, request.FolderId, Permission.Edit, "create snapshots in");
        var row = await rows.GetAsync(request.DiskId);
        if (row is null || row.GetString("Kind") != ComputeRows.DiskKind || row.GetString("FolderId") != request.FolderId)
        {
            throw StratumException.NotFound("disk", request.DiskId);
        }
        var disk = ComputeRows.Read<Disk>(row);
        var blob = row.GetString("DataBlob") is { Length: > 0 } b ? b : null;
        var bytes = row.GetInt64("DataBytes") ?? 0;
        var route = await RouteToAsync(caller, request.FolderId, disk.Id, idempotencyKey, "snapshots.create", request);
        return await SubmitKeyedAsync(route, route.NewId(ResourceIds.Operation), async operationId =>
        {
            var snapshot = new Snapshot(Placement.ResourceOf(ResourceIds.Snapshot, operationId), request.FolderId, DateTimeOffset.UtcNow, request.Name,
                disk.Size, bytes, DiskStatus.Creating, disk.Id, disk.LayerId, new OsInfo(ShardRows.OsOf(row)), request.Description, request.Labels);
            var dataBlob = disk.LayerId ?? blob;
            if (disk.LayerId is null && blob is not null)
            {
                // A snapshot of a disk with its own data copies it; one of a layered disk shares the layer.
                dataBlob = Placement.DataBlobFor(snapshot.Id);
                await data.CopyAsync(blob, dataBlob, bytes);
            }
            return new ShardCommand(CommandKind.CreateSnapshot, operationId, $"Create snapshot {request.Name ?? snapshot.Id}",
                caller.Subject.ToString(), Snapshot: snapshot, TargetId: disk.Id, DataBlob: dataBlob, DataBytes: bytes);
        });
    }

    async Task<Snapshot> IComputeGrain.GetSnapshotAsync(Caller caller, string snapshotId) =>
        ComputeRows.Read<Snapshot>(await ReadableRowAsync(caller, snapshotId, ComputeRows.SnapshotKind, "snapshot"));

    async Task<Page<Snapshot>> IComputeGrain.ListSnapshotsAsync(Caller caller, string folderId, ListQuery query)
    {
        await DemandFolderAsync(caller, folderId, Permission.Read, "read");
        return await rows.ListAsync(folderId, await ShardsAsync(folderId), ComputeRows.SnapshotKind, query, ComputeRows.Read<Snapshot>);
    }

    Task<Operation> IComputeGrain.DeleteSnapshotAsync(Caller caller, string snapshotId, string? idempotencyKey) =>
        DeleteAsync(caller, snapshotId, ComputeRows.SnapshotKind, "snapshot", CommandKind.DeleteSnapshot, idempotencyKey);
}

using Stratum.Access;

namespace Stratum.Deployment;

public sealed partial class ComputeGrain
{
    async Task<Operation> IComputeGrain.CreateInstanceAsync(Caller caller, CreateInstanceRequest request, string? idempotencyKey)
    {
        var started = Diagnostics.StageTimings.Now();
        try
        {
            return await CreateInstanceAsync(caller, request, idempotencyKey, started);
        }
        finally
        {
            Timings.Since(Diagnostics.StageTimings.ComputeTotal, started);
        }
    }

    private async Task<Operation> CreateInstanceAsync(Caller caller, CreateInstanceRequest request, string? idempotencyKey, long started)
    {
        ComputeRules.Validate(request);
        await DemandFolderAsync(caller, request.FolderId, Permission.Edit, "create instances in");
        var spec = request.BootDiskSpec;
        if (spec.DiskId is { } diskId)
        {
            return await AttachAsync(caller, request, diskId, idempotencyKey);
        }
        var route = await RouteAsync(caller, request.FolderId, idempotencyKey, "instances.create", request);
        var instanceId = route.NewId(ResourceIds.Instance);
        var source = await ResolveAsync(caller, spec.DiskSpec!.ImageId, spec.DiskSpec.SnapshotId, spec.DiskSpec.Family, cohortKey: instanceId);
        RequireSize(spec.DiskSpec.Size, source, "bootDiskSpec.diskSpec.size");
        var (vm, bootDisk) = NewVm(request.FolderId, request.Name, spec, source, instanceId, route.NewId(ResourceIds.Disk));
        var (instance, disk) = (WithRequestedFields(vm, request), bootDisk with { ZoneId = request.ZoneId });
        var command = await WithDataAsync(source, disk, new ShardCommand(CommandKind.CreateInstance, Placement.OperationIdOf(instance.Id),
            $"Create instance {request.Name ?? instance.Id}", caller.Subject.ToString(), route.ClaimHash, route.Fingerprint, disk, source.Os, instance));
        Timings.Since(Diagnostics.StageTimings.ComputeFront, started);
        return await SubmitAsync(route, command);
    }

    async Task<Instance> IComputeGrain.GetInstanceAsync(Caller caller, string instanceId) =>
        ComputeRows.Read<Instance>(await ReadableRowAsync(caller, instanceId, ComputeRows.InstanceKind, "instance"));

    async Task<Page<Instance>> IComputeGrain.ListInstancesAsync(Caller caller, string folderId, ListQuery query)
    {
        await DemandFolderAsync(caller, folderId, Permission.Read, "read");
        return await rows.ListAsync(folderId, await ShardsAsync(folderId), ComputeRows.InstanceKind, query, ComputeRows.Read<Instance>);
    }

    Task<Operation> IComputeGrain.DeleteInstanceAsync(Caller caller, string instanceId, string? idempotencyKey) =>
        DeleteAsync(caller, instanceId, ComputeRows.InstanceKind, "instance", CommandKind.DeleteInstance, idempotencyKey);

    /// <summary>An instance on an existing disk is committed by the disk's shard, which owns the disk's row.</summary>
    private async Task<Operation> AttachAsync(Caller caller, CreateInstanceRequest request, string diskId, string? idempotencyKey)
    {
        var row = await rows.GetAsync(diskId);
        if (row is null || row.GetString("Kind") != ComputeRows.DiskKind)
        {
            throw StratumException.NotFound("disk", diskId);
        }
        Authorizer.Demand(await FolderPermissionAsync(caller, row.GetString("FolderId")), Permission.Edit, "disk", diskId, "attach");
        if (row.GetString("FolderId") != request.FolderId)
        {
            throw StratumException.Invalid($"Disk '{diskId}' is in another folder; an instance's boot disk must be in its own folder.");
        }
        var route = await RouteToAsync(caller, request.FolderId, diskId, idempotencyKey, "instances.create", request);
        return await SubmitKeyedAsync(route, route.NewId(ResourceIds.Operation), operationId =>
        {
            var instance = WithRequestedFields(new Instance(Placement.ResourceOf(ResourceIds.Instance, operationId), request.FolderId, DateTimeOffset.UtcNow,
                request.Name, InstanceStatus.Provisioning, new BootDisk(diskId, request.BootDiskSpec.AutoDelete ?? false)), request);
            return Task.FromResult(new ShardCommand(CommandKind.CreateInstance, operationId, $"Create instance {request.Name ?? instance.Id}",
                caller.Subject.ToString(), Instance: instance, TargetId: diskId));
        });
    }

    private static (Instance Instance, Disk Disk) NewVm(string folderId, string? name, BootDiskSpec spec, DiskSource source, string instanceId, string diskId)
    {
        var now = DateTimeOffset.UtcNow;
        var disk = new Disk(diskId, folderId, now, null, spec.DiskSpec!.Size, DiskStatus.Creating, source.ImageId, source.SnapshotId, source.LayerId, instanceId,
            Description: spec.DiskSpec.Description, TypeId: spec.DiskSpec.TypeId);
        var instance = new Instance(instanceId, folderId, now, name, InstanceStatus.Provisioning, new BootDisk(diskId, spec.AutoDelete ?? true));
        return (instance, disk);
    }

    /// <summary>What the caller gave that Stratum keeps without modelling it, shown back as given.</summary>
    private static Instance WithRequestedFields(Instance instance, CreateInstanceRequest request) => instance with
    {
        Description = request.Description,
        Labels = request.Labels,
        ZoneId = request.ZoneId,
        PlatformId = request.PlatformId,
        Resources = request.ResourcesSpec,
        Metadata = request.Metadata,
    };
}

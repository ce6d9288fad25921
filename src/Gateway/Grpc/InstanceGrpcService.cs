using Grpc.Core;
using Yandex.Cloud.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// <c>yandex.cloud.compute.v1.InstanceService</c> on the compute grain, as /compute/v1/instances.
/// Zone, platform, resources and metadata are kept and shown back; what would need machines or
/// networks (secondary disks, network interfaces, hostnames, scheduling, service accounts) is
/// refused as UNIMPLEMENTED rather than dropped.
/// </summary>
public sealed class InstanceGrpcService(IGrainFactory grains) : InstanceService.InstanceServiceBase
{
    private IComputeGrain Compute => grains.Cached<IComputeGrain>(0);

    public override async Task<Yandex.Cloud.Compute.V1.Instance> Get(GetInstanceRequest request, ServerCallContext context)
    {
        var full = Enum(request.View, "view") == InstanceView.Full;
        return ResourceMessages.ToMessage(await Compute.GetInstanceAsync(context.Caller(), Id(request.InstanceId, ResourceIds.Instance, "instance")), full);
    }

    public override async Task<ListInstancesResponse> List(ListInstancesRequest request, ServerCallContext context)
    {
        var page = await Compute.ListInstancesAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListInstancesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Instances.Add(page.Items.Select(i => ResourceMessages.ToMessage(i, full: false)));
        return response;
    }

    public override async Task<ProviderOperation> Create(Yandex.Cloud.Compute.V1.CreateInstanceRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        RefuseUnserved(request, context);
        var resources = request.ResourcesSpec is { } spec ? new InstanceResources(spec.Memory, spec.Cores, spec.CoreFraction, spec.Gpus) : null;
        // A missing boot disk is the grain's to refuse ("bootDiskSpec is required"), as on REST.
        var create = new Stratum.CreateInstanceRequest(request.FolderId, BootDisk(request.BootDiskSpec)!, Given(request.Name),
            Given(request.Description), Given(request.Labels), Given(request.ZoneId), Given(request.PlatformId), resources, Given(request.Metadata));
        return OperationMessages.ToMessage(await Compute.CreateInstanceAsync(context.Caller(), create, context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Delete(DeleteInstanceRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await Compute.DeleteInstanceAsync(context.Caller(), Id(request.InstanceId, ResourceIds.Instance, "instance"), context.IdempotencyKey()));

    public override async Task<ListInstanceOperationsResponse> ListOperations(ListInstanceOperationsRequest request, ServerCallContext context)
    {
        SinglePage(request.PageToken);
        var response = new ListInstanceOperationsResponse();
        response.Operations.Add((await Compute.ListOperationsAsync(context.Caller(), Id(request.InstanceId, ResourceIds.Instance, "instance"))).Select(OperationMessages.ToMessage));
        return response;
    }

    /// <summary>The boot disk as REST takes it; auto_delete is the provider's (false unless set).</summary>
    private static BootDiskSpec? BootDisk(AttachedDiskSpec? spec) => spec switch
    {
        null => null,
        { DiskCase: AttachedDiskSpec.DiskOneofCase.DiskId } => new BootDiskSpec(spec.AutoDelete, spec.DiskId),
        { DiskCase: AttachedDiskSpec.DiskOneofCase.DiskSpec } => new BootDiskSpec(spec.AutoDelete, DiskSpec: new Stratum.DiskSpec(spec.DiskSpec.Size,
            spec.DiskSpec.HasImageId ? spec.DiskSpec.ImageId : null, spec.DiskSpec.HasSnapshotId ? spec.DiskSpec.SnapshotId : null,
            Description: Given(spec.DiskSpec.Description), TypeId: Given(spec.DiskSpec.TypeId))),
        _ => new BootDiskSpec(spec.AutoDelete),
    };

    private static void RefuseUnserved(Yandex.Cloud.Compute.V1.CreateInstanceRequest request, ServerCallContext context)
    {
        var unserved = new (bool Given, string What)[]
        {
            (request.SecondaryDiskSpecs.Count > 0, "secondaryDiskSpecs: Stratum attaches a boot disk only"),
            (request.NetworkInterfaceSpecs.Count > 0, "networkInterfaceSpecs: Stratum makes no networks"),
            (request.Hostname.Length > 0, "hostname: Stratum names no hosts"),
            (request.SchedulingPolicy is not null, "schedulingPolicy: Stratum schedules no machines"),
            (request.ServiceAccountId.Length > 0, "serviceAccountId: Stratum runs nothing as a service account"),
            (request.BootDiskSpec?.DeviceName.Length > 0, "bootDiskSpec.deviceName"),
            (request.BootDiskSpec?.Mode == AttachedDiskSpec.Types.Mode.ReadOnly, "bootDiskSpec.mode READ_ONLY: boot disks are READ_WRITE"),
            (request.BootDiskSpec?.DiskSpec?.Name.Length > 0, "bootDiskSpec.diskSpec.name: a boot disk made with its instance is unnamed"),
        };
        if (unserved.FirstOrDefault(u => u.Given) is { What: { } what })
        {
            throw Unimplemented(what, context);
        }
    }
}

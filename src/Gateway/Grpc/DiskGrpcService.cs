using Grpc.Core;
using Yandex.Cloud.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary><c>yandex.cloud.compute.v1.DiskService</c> on the compute grain, as /compute/v1/disks.</summary>
public sealed class DiskGrpcService(IGrainFactory grains) : DiskService.DiskServiceBase
{
    private IComputeGrain Compute => grains.Cached<IComputeGrain>(0);

    public override async Task<Yandex.Cloud.Compute.V1.Disk> Get(GetDiskRequest request, ServerCallContext context) =>
        ResourceMessages.ToMessage(await Compute.GetDiskAsync(context.Caller(), Id(request.DiskId, ResourceIds.Disk, "disk")));

    public override async Task<ListDisksResponse> List(ListDisksRequest request, ServerCallContext context)
    {
        var page = await Compute.ListDisksAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListDisksResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Disks.Add(page.Items.Select(ResourceMessages.ToMessage));
        return response;
    }

    public override async Task<ProviderOperation> Create(Yandex.Cloud.Compute.V1.CreateDiskRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        if (request.BlockSize is not (0 or ResourceMessages.DiskBlockSize))
        {
            throw GrpcErrors.Unimplemented($"blockSize {request.BlockSize}: Stratum's disks have {ResourceMessages.DiskBlockSize}-byte blocks only.", context);
        }
        var create = new Stratum.CreateDiskRequest(request.FolderId, request.Size, Given(request.Name),
            ImageId: request.HasImageId ? request.ImageId : null,
            SnapshotId: request.HasSnapshotId ? request.SnapshotId : null,
            Description: Given(request.Description), Labels: Given(request.Labels), ZoneId: Given(request.ZoneId), TypeId: Given(request.TypeId));
        return OperationMessages.ToMessage(await Compute.CreateDiskAsync(context.Caller(), create, context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Delete(DeleteDiskRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await Compute.DeleteDiskAsync(context.Caller(), Id(request.DiskId, ResourceIds.Disk, "disk"), context.IdempotencyKey()));

    public override async Task<ListDiskOperationsResponse> ListOperations(ListDiskOperationsRequest request, ServerCallContext context)
    {
        SinglePage(request.PageToken);
        var response = new ListDiskOperationsResponse();
        response.Operations.Add((await Compute.ListOperationsAsync(context.Caller(), Id(request.DiskId, ResourceIds.Disk, "disk"))).Select(OperationMessages.ToMessage));
        return response;
    }
}

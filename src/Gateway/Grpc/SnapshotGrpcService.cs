using Grpc.Core;
using Yandex.Cloud.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary><c>yandex.cloud.compute.v1.SnapshotService</c> on the compute grain, as /compute/v1/snapshots.</summary>
public sealed class SnapshotGrpcService(IGrainFactory grains) : SnapshotService.SnapshotServiceBase
{
    private IComputeGrain Compute => grains.Cached<IComputeGrain>(0);

    public override async Task<Yandex.Cloud.Compute.V1.Snapshot> Get(GetSnapshotRequest request, ServerCallContext context) =>
        ResourceMessages.ToMessage(await Compute.GetSnapshotAsync(context.Caller(), Id(request.SnapshotId, ResourceIds.Snapshot, "snapshot")));

    public override async Task<ListSnapshotsResponse> List(ListSnapshotsRequest request, ServerCallContext context)
    {
        var page = await Compute.ListSnapshotsAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListSnapshotsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Snapshots.Add(page.Items.Select(ResourceMessages.ToMessage));
        return response;
    }

    public override async Task<ProviderOperation> Create(Yandex.Cloud.Compute.V1.CreateSnapshotRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var create = new Stratum.CreateSnapshotRequest(request.FolderId, request.DiskId, Given(request.Name), Given(request.Description), Given(request.Labels));
        return OperationMessages.ToMessage(await Compute.CreateSnapshotAsync(context.Caller(), create, context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Delete(DeleteSnapshotRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await Compute.DeleteSnapshotAsync(context.Caller(), Id(request.SnapshotId, ResourceIds.Snapshot, "snapshot"), context.IdempotencyKey()));

    public override async Task<ListSnapshotOperationsResponse> ListOperations(ListSnapshotOperationsRequest request, ServerCallContext context)
    {
        SinglePage(request.PageToken);
        var response = new ListSnapshotOperationsResponse();
        response.Operations.Add((await Compute.ListOperationsAsync(context.Caller(), Id(request.SnapshotId, ResourceIds.Snapshot, "snapshot"))).Select(OperationMessages.ToMessage));
        return response;
    }
}

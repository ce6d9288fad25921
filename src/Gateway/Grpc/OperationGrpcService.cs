using Grpc.Core;
using Yandex.Cloud.Operation;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary><c>yandex.cloud.operation.OperationService</c> on the operation grain, as /operations.</summary>
public sealed class OperationGrpcService(IGrainFactory grains) : OperationService.OperationServiceBase
{
    public override async Task<ProviderOperation> Get(GetOperationRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await Operation(request.OperationId).GetAsync(context.Caller()));

    public override async Task<ProviderOperation> Cancel(CancelOperationRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await Operation(request.OperationId).CancelAsync(context.Caller()));

    private IOperationGrain Operation(string id) => grains.GetGrain<IOperationGrain>(Id(id, ResourceIds.Operation, "operation"));
}

using Grpc.Core;
using ProviderOperation = Yandex.Cloud.Operation.Operation;
using StratumGrpc = Stratum.Grpc.Compute.V1;

namespace Stratum.Gateway.Grpc;

/// <summary>The changes: each an operation from the grain REST calls, with its metadata and response packed as the API says.</summary>
public sealed partial class StratumImageGrpcService
{
    public override async Task<ProviderOperation> Create(StratumGrpc.CreateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await Catalog.CreateAsync(context.Caller(), ImageRequestReader.Create(request), context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Update(StratumGrpc.UpdateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await ImageGrain(request.ImageId).UpdateAsync(context.Caller(), ImageRequestReader.Update(request), context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Deprecate(StratumGrpc.DeprecateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await ImageGrain(request.ImageId).DeprecateAsync(context.Caller(), ImageRequestReader.Deprecate(request), context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Rollout(StratumGrpc.RolloutImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await ImageGrain(request.ImageId).RolloutAsync(context.Caller(), ImageRequestReader.Rollout(request), context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Restore(StratumGrpc.RestoreImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await ImageGrain(request.ImageId).RestoreAsync(context.Caller(), context.IdempotencyKey()));
    }
}

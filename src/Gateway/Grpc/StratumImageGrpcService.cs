using Grpc.Core;
using Stratum.Gateway.Changes;
using Stratum.Grpc.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary><c>stratum.compute.v1.ImageService</c>: what Stratum has beyond the provider's images, on the same grains as REST.</summary>
public sealed class StratumImageGrpcService(IGrainFactory grains, FamilyWatcher watcher) : Stratum.Grpc.Compute.V1.ImageService.ImageServiceBase
{
    private IImageCatalogGrain Catalog => grains.GetGrain<IImageCatalogGrain>(0);

    public override async Task<ImageDetails> GetDetails(GetImageDetailsRequest request, ServerCallContext context) =>
        ResourceMessages.ToDetails(await ImageGrain(request.ImageId).GetAsync(context.Caller()));

    public override async Task<ProviderOperation> Deprecate(DeprecateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var state = Enum(request.State, "state") switch
        {
            Stratum.Grpc.Compute.V1.DeprecationState.Active => Stratum.DeprecationState.Active,
            Stratum.Grpc.Compute.V1.DeprecationState.Deprecated => Stratum.DeprecationState.Deprecated,
            Stratum.Grpc.Compute.V1.DeprecationState.Obsolete => Stratum.DeprecationState.Obsolete,
            _ => throw StratumException.Invalid("state is required: ACTIVE, DEPRECATED or OBSOLETE."),
        };
        var operation = await ImageGrain(request.ImageId).DeprecateAsync(context.Caller(), new DeprecateRequest(state, Given(request.Replacement)), context.IdempotencyKey());
        return OperationMessages.ToMessage(operation);
    }

    public override async Task<ListFamiliesResponse> ListFamilies(ListFamiliesRequest request, ServerCallContext context)
    {
        var page = await Catalog.ListFamiliesAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListFamiliesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Families.Add(page.Items.Select(ResourceMessages.ToMessage));
        return response;
    }

    public override Task WatchFamily(WatchFamilyRequest request, IServerStreamWriter<FamilyLatest> responseStream, ServerCallContext context)
    {
        var folderId = FolderId(request.FolderId);
        var family = Given(request.Family) ?? throw StratumException.Invalid("family is required.");
        if (request.HasAfterRevision && request.AfterRevision < 0)
        {
            throw StratumException.Invalid($"afterRevision {request.AfterRevision} is not a revision this API sent (a non-negative integer).");
        }
        return watcher.RunAsync(context.Caller(), folderId, family, request.HasAfterRevision ? request.AfterRevision : null, cohortKey: null,
            new Stream(responseStream, context), context.CancellationToken);
    }

    private IImageGrain ImageGrain(string imageId) => grains.GetGrain<IImageGrain>(Id(imageId, ResourceIds.Image, "image"));

    /// <summary>The watch as a server stream: one message per change; a revoked caller ends it with the error's status.</summary>
    private sealed class Stream(IServerStreamWriter<FamilyLatest> writer, ServerCallContext context) : IFamilyWatchSink
    {
        public Task StartAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task SendAsync(FamilyChange change, CancellationToken aborted)
        {
            var message = new FamilyLatest { Revision = change.Revision };
            if (change.Image is { } image)
            {
                message.Image = ResourceMessages.ToDetails(image);
            }
            return writer.WriteAsync(message, aborted);
        }

        // Each message is sent as it is written; HTTP/2 keeps an idle stream without filler.
        public Task FlushAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task HeartbeatAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task EndAsync(StratumException error, CancellationToken aborted) => throw GrpcErrors.From(error.Code, error.Message, context);
    }
}

/// <summary><c>stratum.compute.v1.LayerService</c>: a base layer and its exact holders, as /compute/v1/layers.</summary>
public sealed class LayerGrpcService(IGrainFactory grains) : LayerService.LayerServiceBase
{
    public override async Task<Stratum.Grpc.Compute.V1.Layer> Get(GetLayerRequest request, ServerCallContext context) =>
        ResourceMessages.ToMessage(await grains.GetGrain<IComputeGrain>(0).GetLayerAsync(context.Caller(), Id(request.LayerId, ResourceIds.Layer, "layer")));
}

using Grpc.Core;
using Stratum.Gateway.Changes;
using Stratum.Grpc.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// <c>stratum.compute.v1.ImageService</c>: what Stratum has beyond the provider's images, on the
/// same grains as REST. Reads here; changes in <c>.Changes.cs</c>, uploads and exports in <c>.Transfers.cs</c>.
/// </summary>
public sealed partial class StratumImageGrpcService(IGrainFactory grains, FamilyWatcher watcher, LatestLookup latest) : ImageService.ImageServiceBase
{
    private IImageCatalogGrain Catalog => grains.Cached<IImageCatalogGrain>(0);

    public override async Task<ImageDetails> GetDetails(GetImageDetailsRequest request, ServerCallContext context) =>
        StratumMessages.ToDetails(await ImageGrain(request.ImageId).GetAsync(context.Caller()));

    public override async Task<Stratum.Grpc.Compute.V1.ListImagesResponse> List(Stratum.Grpc.Compute.V1.ListImagesRequest request, ServerCallContext context)
    {
        var page = await Catalog.ListAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy), ImageRequestReader.View(request.View));
        var response = new Stratum.Grpc.Compute.V1.ListImagesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Images.Add(page.Items.Select(StratumMessages.ToDetails));
        return response;
    }

    public override async Task<ImageDetails> GetLatestByFamily(GetLatestByFamilyRequest request, ServerCallContext context) =>
        StratumMessages.ToDetails(await latest.GetAsync(context.Caller(), FolderId(request.FolderId),
            Given(request.Family) ?? throw StratumException.Invalid("family is required."), Given(request.CohortKey)));

    public override async Task<ListFamiliesResponse> ListFamilies(ListFamiliesRequest request, ServerCallContext context)
    {
        var page = await Catalog.ListFamiliesAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListFamiliesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Families.Add(page.Items.Select(StratumMessages.ToMessage));
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
        return watcher.RunAsync(context.Caller(), folderId, family, request.HasAfterRevision ? request.AfterRevision : null, Given(request.CohortKey),
            new Stream(responseStream, context), context.CancellationToken);
    }

    private IImageGrain ImageGrain(string imageId) => grains.Cached<IImageGrain>(Id(imageId, ResourceIds.Image, "image"));

    /// <summary>The watch as a server stream: one message per change; a revoked caller ends it with the error's status.</summary>
    private sealed class Stream(IServerStreamWriter<FamilyLatest> writer, ServerCallContext context) : IFamilyWatchSink
    {
        public Task StartAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task SendAsync(FamilyChange change, CancellationToken aborted)
        {
            var message = new FamilyLatest { Revision = change.Revision };
            if (change.Image is { } image)
            {
                message.Image = StratumMessages.ToDetails(image);
            }
            return writer.WriteAsync(message, aborted);
        }

        // Each message is sent as it is written; HTTP/2 keeps an idle stream without filler.
        public Task FlushAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task HeartbeatAsync(CancellationToken aborted) => Task.CompletedTask;

        public Task EndAsync(StratumException error, CancellationToken aborted) => throw GrpcErrors.From(error.Code, error.Message, context);
    }
}

/// <summary><c>stratum.compute.v1.LayerService</c>: a base layer and the holders the caller may read, as /compute/v1/layers.</summary>
public sealed class LayerGrpcService(IGrainFactory grains) : LayerService.LayerServiceBase
{
    public override async Task<Stratum.Grpc.Compute.V1.Layer> Get(GetLayerRequest request, ServerCallContext context) =>
        StratumMessages.ToMessage(await grains.Cached<IComputeGrain>(0).GetLayerAsync(context.Caller(), Id(request.LayerId, ResourceIds.Layer, "layer")));
}

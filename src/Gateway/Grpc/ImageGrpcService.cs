using Grpc.Core;
using Yandex.Cloud.Access;
using Yandex.Cloud.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// <c>yandex.cloud.compute.v1.ImageService</c>: each method reads its request, calls the grain
/// the REST endpoint calls, and writes the provider's message. No rule lives here.
/// </summary>
public sealed class ImageGrpcService(IGrainFactory grains, LatestLookup latest) : ImageService.ImageServiceBase
{
    private IImageCatalogGrain Catalog => grains.Cached<IImageCatalogGrain>(0);

    public override async Task<Yandex.Cloud.Compute.V1.Image> Get(GetImageRequest request, ServerCallContext context) =>
        ResourceMessages.ToMessage(await ImageGrain(request.ImageId).GetAsync(context.Caller()));

    /// <summary>The latest for the caller's own cohort (its subject); Stratum's GetLatestByFamily takes a cohort key.</summary>
    public override async Task<Yandex.Cloud.Compute.V1.Image> GetLatestByFamily(GetImageLatestByFamilyRequest request, ServerCallContext context) =>
        ResourceMessages.ToMessage(await latest.GetAsync(context.Caller(), FolderId(request.FolderId),
            Given(request.Family) ?? throw StratumException.Invalid("family is required."), cohortKey: null));

    public override async Task<ListImagesResponse> List(ListImagesRequest request, ServerCallContext context)
    {
        var page = await Catalog.ListAsync(context.Caller(), FolderId(request.FolderId),
            Requests.List(request.PageSize, request.PageToken, request.Filter, request.OrderBy));
        var response = new ListImagesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Images.Add(page.Items.Select(ResourceMessages.ToMessage));
        return response;
    }

    public override async Task<ProviderOperation> Create(Yandex.Cloud.Compute.V1.CreateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        return OperationMessages.ToMessage(await Catalog.CreateAsync(context.Caller(), ImageRequestReader.Create(request), context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Update(Yandex.Cloud.Compute.V1.UpdateImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var image = ImageGrain(request.ImageId);
        var fields = Masked(request.UpdateMask, new Dictionary<string, bool>
        {
            ["name"] = request.Name.Length > 0,
            ["description"] = request.Description.Length > 0,
            ["min_disk_size"] = request.MinDiskSize != 0,
            ["labels"] = request.Labels.Count > 0,
        });
        var update = new Stratum.UpdateImageRequest(
            fields.Contains("name") ? request.Name : null,
            fields.Contains("description") ? request.Description : null,
            fields.Contains("min_disk_size") ? request.MinDiskSize : null,
            fields.Contains("labels") ? new Dictionary<string, string>(request.Labels) : null);
        return OperationMessages.ToMessage(await image.UpdateAsync(context.Caller(), update, context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> Delete(DeleteImageRequest request, ServerCallContext context) =>
        OperationMessages.ToMessage(await ImageGrain(request.ImageId).DeleteAsync(context.Caller(), context.IdempotencyKey()));

    public override async Task<ListImageOperationsResponse> ListOperations(ListImageOperationsRequest request, ServerCallContext context)
    {
        SinglePage(request.PageToken);
        var response = new ListImageOperationsResponse();
        response.Operations.Add((await ImageGrain(request.ImageId).ListOperationsAsync(context.Caller())).Select(OperationMessages.ToMessage));
        return response;
    }

    public override async Task<ListAccessBindingsResponse> ListAccessBindings(ListAccessBindingsRequest request, ServerCallContext context)
    {
        SinglePage(request.PageToken);
        var response = new ListAccessBindingsResponse();
        response.AccessBindings.Add((await ImageGrain(request.ResourceId).ListAccessBindingsAsync(context.Caller())).Select(ResourceMessages.ToMessage));
        return response;
    }

    public override async Task<ProviderOperation> SetAccessBindings(SetAccessBindingsRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var bindings = request.AccessBindings.Select((b, i) => AccessMessages.FromMessage(b, $"accessBindings[{i}]")).ToList();
        return OperationMessages.ToMessage(await ImageGrain(request.ResourceId).SetAccessBindingsAsync(context.Caller(), bindings, context.IdempotencyKey()));
    }

    public override async Task<ProviderOperation> UpdateAccessBindings(UpdateAccessBindingsRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var deltas = request.AccessBindingDeltas.Select((d, i) => AccessMessages.FromMessage(d, $"accessBindingDeltas[{i}]")).ToList();
        return OperationMessages.ToMessage(await ImageGrain(request.ResourceId).UpdateAccessBindingsAsync(context.Caller(), deltas, context.IdempotencyKey()));
    }

    private IImageGrain ImageGrain(string imageId) => grains.Cached<IImageGrain>(Id(imageId, ResourceIds.Image, "image"));
}

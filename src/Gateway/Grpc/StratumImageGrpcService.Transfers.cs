using Grpc.Core;
using StratumGrpc = Stratum.Grpc.Compute.V1;

namespace Stratum.Gateway.Grpc;

/// <summary>Uploads and exports: signed URLs to the image store, which carries the bytes (never the gateway).</summary>
public sealed partial class StratumImageGrpcService
{
    public override async Task<StratumGrpc.UploadTarget> PrepareUpload(StratumGrpc.PrepareUploadRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var target = await Catalog.PrepareUploadAsync(context.Caller(), new PrepareUploadRequest(request.FolderId, request.HasSize ? request.Size : null));
        return StratumMessages.ToMessage(target);
    }

    public override async Task<StratumGrpc.ImageExport> Export(StratumGrpc.ExportImageRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var export = await ImageGrain(request.ImageId).ExportAsync(context.Caller(), new ExportRequest(request.HasTtlSeconds ? request.TtlSeconds : null));
        return StratumMessages.ToMessage(export);
    }
}

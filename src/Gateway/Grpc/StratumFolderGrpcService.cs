using Grpc.Core;
using Stratum.Grpc.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary><c>stratum.compute.v1.FolderService</c>: a folder's recycle bin, on the folder grain REST's folder endpoints call.</summary>
public sealed class StratumFolderGrpcService(IGrainFactory grains) : FolderService.FolderServiceBase
{
    public override async Task<Stratum.Grpc.Compute.V1.RecycleBin> GetRecycleBin(GetRecycleBinRequest request, ServerCallContext context) =>
        StratumMessages.ToRecycleBin(await Folder(request.FolderId).GetAsync(context.Caller()));

    public override async Task<ProviderOperation> UpdateRecycleBin(UpdateRecycleBinRequest request, ServerCallContext context)
    {
        UnknownFields.Refuse(request, context);
        var update = new UpdateFolderRequest(new Stratum.RecycleBin(request.RetentionHours));
        return OperationMessages.ToMessage(await Folder(request.FolderId).UpdateAsync(context.Caller(), update, context.IdempotencyKey()));
    }

    private IFolderGrain Folder(string folderId) => grains.Cached<IFolderGrain>(FolderId(folderId));
}

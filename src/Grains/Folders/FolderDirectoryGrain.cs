using Stratum.Access;
using Stratum.Index;
using Stratum.Operations;
using Stratum.Validation;

namespace Stratum.Folders;

/// <summary>Creates folders and lists them; stateless, so every silo serves it locally.</summary>
// Reentrant: it keeps no state, so calls interleave freely instead of queueing behind one another.
[StatelessWorker, Reentrant]
public sealed class FolderDirectoryGrain(Authorizer authorizer, ResourceIndex index, IGrainFactory grains) : Grain, IFolderDirectoryGrain
{
    Task<Operation> IFolderDirectoryGrain.CreateAsync(Caller caller, CreateFolderRequest request, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, "folders.create", request, ResourceIds.New(ResourceIds.Folder), async (opId, folderId) =>
        {
            if (!authorizer.IsPlatformAdmin(caller))
            {
                throw StratumException.Denied("Only platform admins may create folders.");
            }
            Validate(request);
            await index.ReserveNameAsync(FolderGrain.RootFolder, FolderGrain.NameKind, request.Name, folderId);
            var op = grains.GetGrain<IOperationInternalGrain>(opId);
            await op.StartAsync(new OperationStart($"Create folder {request.Name}", caller, folderId, folderId,
                new Dictionary<string, string> { ["folderId"] = folderId }));
            var folder = await grains.GetGrain<IFolderInternalGrain>(folderId).InitializeAsync(request, opId);
            return await op.CompleteAsync(folder);
        });

    async Task<Page<Folder>> IFolderDirectoryGrain.ListAsync(Caller caller, ListQuery query)
    {
        var page = await index.QueryFoldersAsync(authorizer.IsPlatformAdmin(caller) ? null : caller.Subject, query);
        return page with { Items = page.Items.Select(FolderGrain.Shown).ToList() };
    }

    async Task<Folder> IFolderDirectoryGrain.EnsureStandardImagesAsync(Caller caller)
    {
        if (!authorizer.IsPlatformAdmin(caller))
        {
            throw StratumException.Denied("Only platform admins may create the standard-images folder.");
        }
        var folder = grains.GetGrain<IFolderInternalGrain>(WellKnownFolders.StandardImages);
        if ((await folder.GetAccessAsync()).Exists)
        {
            return await grains.GetGrain<IFolderGrain>(WellKnownFolders.StandardImages).GetAsync(caller);
        }
        return await folder.InitializeAsync(new CreateFolderRequest(WellKnownFolders.StandardImages, "Public images every authenticated user can deploy from."),
            "standard-images-seed");
    }

    private static void Validate(CreateFolderRequest request)
    {
        if (request is null || string.IsNullOrEmpty(request.Name))
        {
            throw StratumException.Invalid("name is required.");
        }
        Rules.Name(request.Name);
        Rules.Description(request.Description);
        Rules.Labels(request.Labels);
    }
}

using Stratum.Access;
using Stratum.Operations;
using Stratum.Releases;

namespace Stratum.Folders;

/// <summary>A folder's settings: its recycle bin, changed by the folder's admins.</summary>
public sealed partial class FolderGrain
{
    Task<Operation> IFolderGrain.UpdateAsync(Caller caller, UpdateFolderRequest request, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"folders.update:{Id}", request, Id, async (opId, _) =>
        {
            Authorizer.Demand(Granted(caller), Permission.Admin, "folder", Id, "change the settings of");
            ReleaseRules.RecycleBin(request);
            var op = Operations(opId);
            await op.StartAsync(new OperationStart($"Update folder {Id}", caller, Id, Id, Meta()));
            await _record.ChangeAsync(s =>
            {
                s.Folder = s.Folder! with { RecycleBin = request.RecycleBin };
                return true;
            });
            await index.UpsertFolderAsync(State.Folder!, State.Bindings.Where(b => b.RoleId != Roles.ImagesUser).Select(b => b.Subject));
            return await op.CompleteAsync(Shown(State.Folder!));
        });

    Task<int> IFolderInternalGrain.GetRecycleBinHoursAsync() => Task.FromResult(State.Folder?.RecycleBin?.RetentionHours ?? 0);

    /// <summary>A folder as callers see it: a folder that never set its recycle bin shows it off.</summary>
    public static Folder Shown(Folder folder) => folder.RecycleBin is null ? folder with { RecycleBin = RecycleBin.Off } : folder;
}

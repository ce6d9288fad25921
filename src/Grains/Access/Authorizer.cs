using Microsoft.Extensions.Options;
using Stratum.Folders;

namespace Stratum.Access;

/// <summary>
/// The one place where access is decided. Every grain method that takes a <see cref="Caller"/>
/// asks it, whether the call came through the HTTP gateway or straight through the Orleans client.
/// A caller who may not read a resource is told it does not exist; one who may read but not act
/// is told that is not allowed.
/// </summary>
public sealed class Authorizer(IGrainFactory grains, IOptions<AccessOptions> options)
{
    public bool IsPlatformAdmin(Caller caller) => options.Value.IsPlatformAdmin(caller);

    /// <summary>The caller's permissions on a folder; None when the folder does not exist.</summary>
    public async Task<Permission> OnFolderAsync(Caller caller, string folderId)
    {
        var access = await FolderAccessAsync(folderId);
        return access.Exists ? AccessPolicy.OnFolder(caller, IsPlatformAdmin(caller), access.Bindings) : Permission.None;
    }

    /// <summary>The caller's permissions on an image of a folder, given the image's own bindings.</summary>
    public async Task<Permission> OnImageAsync(Caller caller, string folderId, IReadOnlyList<AccessBinding> imageBindings)
    {
        var access = await FolderAccessAsync(folderId);
        return access.Exists ? AccessPolicy.OnImage(caller, IsPlatformAdmin(caller), access.Bindings, imageBindings) : Permission.None;
    }

    /// <summary>
    /// Throws 404 when the caller cannot read, 403 when it can read but lacks <paramref name="needed"/>.
    /// </summary>
    public static void Demand(Permission granted, Permission needed, string kind, string id, string action)
    {
        if (!granted.HasFlag(Permission.Read))
        {
            throw StratumException.NotFound(kind, id);
        }
        if (!granted.HasFlag(needed))
        {
            throw StratumException.Denied($"The caller may not {action} {kind} '{id}'.");
        }
    }

    private Task<FolderAccess> FolderAccessAsync(string folderId) =>
        ResourceIds.IsFolder(folderId)
            ? grains.Cached<IFolderInternalGrain>(folderId).GetAccessAsync()
            : Task.FromResult(FolderAccess.Missing);
}

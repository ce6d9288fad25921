namespace Stratum.Access;

/// <summary>
/// The rules that turn roles into permissions. Pure, so the one decision the gateway and the
/// Orleans-client path both rely on can be tested on its own.
/// </summary>
public static class AccessPolicy
{
    /// <summary>What the caller may do to the folder itself (compute.images.user does not reach it).</summary>
    public static Permission OnFolder(Caller caller, bool isPlatformAdmin, IEnumerable<AccessBinding> folderBindings) =>
        isPlatformAdmin ? Permission.All : Grant(caller, folderBindings, includeImageRoles: false);

    /// <summary>What the caller may do to an image: its folder's bindings apply to it, and its own.</summary>
    public static Permission OnImage(Caller caller, bool isPlatformAdmin, IEnumerable<AccessBinding> folderBindings, IEnumerable<AccessBinding> imageBindings) =>
        isPlatformAdmin ? Permission.All : Grant(caller, folderBindings.Concat(imageBindings), includeImageRoles: true);

    /// <summary>Whether a binding's subject covers the caller.</summary>
    public static bool Covers(Subject bound, Caller caller) =>
        bound == caller.Subject
        || bound == Subject.AllAuthenticatedUsers
        || bound == Subject.AllUsers;

    private static Permission Grant(Caller caller, IEnumerable<AccessBinding> bindings, bool includeImageRoles)
    {
        var granted = Permission.None;
        foreach (var binding in bindings)
        {
            if (Covers(binding.Subject, caller))
            {
                granted |= RolePermissions(binding.RoleId, includeImageRoles);
            }
        }
        return granted;
    }

    private static Permission RolePermissions(string roleId, bool includeImageRoles) => roleId switch
    {
        Roles.Admin => Permission.All,
        Roles.Editor => Permission.Read | Permission.Audit | Permission.Use | Permission.Edit,
        Roles.Viewer => Permission.Read | Permission.Audit,
        Roles.ImagesUser when includeImageRoles => Permission.Read | Permission.Use,
        _ => Permission.None,
    };
}

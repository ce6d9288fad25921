namespace Stratum.Access;

/// <summary>What a caller may do to a resource; roles grant sets of these.</summary>
[Flags]
public enum Permission
{
    None = 0,
    /// <summary>See the resource (without it, the resource does not exist for the caller).</summary>
    Read = 1,
    /// <summary>Use an image as a source or resolve it through its family.</summary>
    Use = 2,
    /// <summary>Create, update, deprecate, delete.</summary>
    Edit = 4,
    /// <summary>Change access bindings.</summary>
    Admin = 8,
    /// <summary>
    /// See who is granted what and what was done (access bindings, operations): every role but
    /// compute.images.user, whose holders (every authenticated user, for a public image) use an
    /// image without learning who else may or who changed it.
    /// </summary>
    Audit = 16,
    All = Read | Use | Edit | Admin | Audit,
}

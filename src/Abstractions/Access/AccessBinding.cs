namespace Stratum;

/// <summary>A role granted to a subject on a folder or an image.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.AccessBinding")]
public sealed record AccessBinding(
    [property: Id(0)] string RoleId,
    [property: Id(1)] Subject Subject);

/// <summary>Whether a delta adds or removes its binding.</summary>
public enum AccessBindingAction
{
    /// <summary>Grant the binding.</summary>
    Add,
    /// <summary>Revoke the binding.</summary>
    Remove,
}

/// <summary>One change of an <c>updateAccessBindings</c> call.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.AccessBindingDelta")]
public sealed record AccessBindingDelta(
    [property: Id(0)] AccessBindingAction Action,
    [property: Id(1)] AccessBinding AccessBinding);

/// <summary>The roles of the contract.</summary>
public static class Roles
{
    /// <summary>Everything, including access bindings.</summary>
    public const string Admin = "admin";
    /// <summary>Create, update and delete resources.</summary>
    public const string Editor = "editor";
    /// <summary>Read.</summary>
    public const string Viewer = "viewer";
    /// <summary>Read an image, resolve it through its family, and use it as a source; never change it.</summary>
    public const string ImagesUser = "compute.images.user";

    /// <summary>Every role the service knows.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Admin, Editor, Viewer, ImagesUser };
}

namespace Stratum;

/// <summary>The kinds of subject a role can be granted to.</summary>
public enum SubjectType
{
    /// <summary>A person.</summary>
    UserAccount,
    /// <summary>A program, such as a .NET service using the Orleans client.</summary>
    ServiceAccount,
    /// <summary>A group defined by the system: <c>allAuthenticatedUsers</c> or <c>allUsers</c>.</summary>
    System,
}

/// <summary>A subject of an access binding, written <c>type:id</c> (e.g. <c>userAccount:alice</c>).</summary>
[GenerateSerializer, Immutable, Alias("Stratum.Subject")]
public sealed record Subject([property: Id(0)] string Id, [property: Id(1)] SubjectType Type)
{
    /// <summary>Every caller with a valid credential.</summary>
    public static readonly Subject AllAuthenticatedUsers = new("allAuthenticatedUsers", SubjectType.System);

    /// <summary>Everyone, even without a credential; refused on images.</summary>
    public static readonly Subject AllUsers = new("allUsers", SubjectType.System);

    /// <inheritdoc />
    public override string ToString() => $"{TypeName(Type)}:{Id}";

    /// <summary>The contract's name of a subject type.</summary>
    public static string TypeName(SubjectType type) => type switch
    {
        SubjectType.UserAccount => "userAccount",
        SubjectType.ServiceAccount => "serviceAccount",
        _ => "system",
    };
}

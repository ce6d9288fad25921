namespace Stratum;

/// <summary>
/// Who is asking. The gateway builds it from a verified token; another .NET service using the
/// Orleans client passes its own service account. Every decision is made in the grain layer.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.Caller")]
public sealed record Caller([property: Id(0)] Subject Subject)
{
    /// <summary>A caller acting as a user account.</summary>
    public static Caller User(string id) => new(new Subject(id, SubjectType.UserAccount));

    /// <summary>A caller acting as a service account, as .NET services do through the Orleans client.</summary>
    public static Caller Service(string id) => new(new Subject(id, SubjectType.ServiceAccount));

    /// <inheritdoc />
    public override string ToString() => Subject.ToString();
}

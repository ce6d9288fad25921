namespace Stratum.Access;

/// <summary>Who administers the whole platform. Configuration section <c>Stratum:Access</c>.</summary>
public sealed class AccessOptions
{
    public const string Section = "Stratum:Access";

    /// <summary>Subjects written <c>type:id</c>, e.g. <c>userAccount:admin</c>.</summary>
    public List<string> PlatformAdmins { get; set; } = [];

    public bool IsPlatformAdmin(Caller caller) => PlatformAdmins.Contains(caller.Subject.ToString(), StringComparer.Ordinal);
}

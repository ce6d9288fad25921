namespace Stratum;

/// <summary>
/// Folder ids outside the generated pattern. Every check of a folder id (the gateway's, the
/// authorizer's) goes through <see cref="ResourceIds.IsFolder"/>, which knows them.
/// </summary>
public static class WellKnownFolders
{
    /// <summary>The folder of public images every user of a cloud expects to find.</summary>
    public const string StandardImages = "standard-images";

    /// <summary>Every well-known folder id.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { StandardImages };
}

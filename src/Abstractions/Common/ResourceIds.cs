using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Stratum;

/// <summary>
/// Resource ids: a 3-letter type prefix and 17 random characters of [a-z0-9], 20 in all.
/// </summary>
public static partial class ResourceIds
{
    /// <summary>Prefix of folder ids.</summary>
    public const string Folder = "fld";
    /// <summary>Prefix of image ids.</summary>
    public const string Image = "img";
    /// <summary>Prefix of operation ids.</summary>
    public const string Operation = "opr";
    /// <summary>Prefix of snapshot ids.</summary>
    public const string Snapshot = "snp";
    /// <summary>Prefix of disk ids.</summary>
    public const string Disk = "dsk";
    /// <summary>Prefix of instance ids.</summary>
    public const string Instance = "ins";
    /// <summary>Prefix of layer ids.</summary>
    public const string Layer = "lyr";
    /// <summary>Prefix of staged upload ids (<c>images:prepareUpload</c>).</summary>
    public const string Upload = "upl";

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new random id with the given prefix.</summary>
    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 17);

    /// <summary>Whether the text is a well-formed id of the given type.</summary>
    public static bool IsValid(string? id, string prefix) =>
        id is { Length: 20 } && id.StartsWith(prefix, StringComparison.Ordinal) && IdPattern().IsMatch(id);

    /// <summary>Whether the text can name a folder: a well-formed folder id, or a <see cref="WellKnownFolders">well-known</see> one.</summary>
    public static bool IsFolder(string? id) => IsValid(id, Folder) || (id is not null && WellKnownFolders.All.Contains(id));

    [GeneratedRegex("^[a-z0-9]{20}$")]
    private static partial Regex IdPattern();
}

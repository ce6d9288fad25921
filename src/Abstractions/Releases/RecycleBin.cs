namespace Stratum;

/// <summary>
/// A folder's recycle bin: with <see cref="RetentionHours"/> above 0, a deleted image is kept that
/// long (restorable, still holding its name and quota) before it is purged. 0 turns it off.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.RecycleBin")]
public sealed record RecycleBin([property: Id(0)] int RetentionHours)
{
    /// <summary>The longest retention accepted: a year.</summary>
    public const int MaxRetentionHours = 8760;

    /// <summary>No recycle bin: deletes are final (the default).</summary>
    public static readonly RecycleBin Off = new(0);
}

/// <summary>The body of a folder update (<c>PATCH</c>): the fields given are changed.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.UpdateFolderRequest")]
public sealed record UpdateFolderRequest(
    [property: Id(0)] RecycleBin? RecycleBin = null);

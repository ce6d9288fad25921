namespace Stratum.Folders;

/// <summary>Folder ids outside the generated pattern.</summary>
public static class WellKnownFolders
{
    /// <summary>The folder of public images every user of a cloud expects to find.</summary>
    public const string StandardImages = "standard-images";
}

namespace Stratum.Cli.Commands;

/// <summary>What the generic get/list/delete commands need to know of a kind of resource.</summary>
internal interface IResourceKind
{
    static abstract string Path { get; }
    static abstract string Plural { get; }
    static abstract string Noun { get; }
    static abstract bool InFolder { get; }
    static abstract string[] Columns { get; }
}

internal sealed class Folders : IResourceKind
{
    public static string Path => "/resource-manager/v1/folders";
    public static string Plural => "folders";
    public static string Noun => "folder";
    public static bool InFolder => false;
    public static string[] Columns => ["id", "name", "description", "createdAt"];
}

internal sealed class Images : IResourceKind
{
    public static string Path => "/compute/v1/images";
    public static string Plural => "images";
    public static string Noun => "image";
    public static bool InFolder => true;
    public static string[] Columns => ["id", "name", "family", "status", "format", "storageSize", "deprecation.state", "createdAt"];
}

internal sealed class Disks : IResourceKind
{
    public static string Path => "/compute/v1/disks";
    public static string Plural => "disks";
    public static string Noun => "disk";
    public static bool InFolder => true;
    public static string[] Columns => ["id", "name", "size", "status", "sourceImageId", "sourceSnapshotId", "createdAt"];
}

internal sealed class Snapshots : IResourceKind
{
    public static string Path => "/compute/v1/snapshots";
    public static string Plural => "snapshots";
    public static string Noun => "snapshot";
    public static bool InFolder => true;
    public static string[] Columns => ["id", "name", "diskSize", "storageSize", "status", "sourceDiskId", "createdAt"];
}

internal sealed class Instances : IResourceKind
{
    public static string Path => "/compute/v1/instances";
    public static string Plural => "instances";
    public static string Noun => "instance";
    public static bool InFolder => true;
    public static string[] Columns => ["id", "name", "status", "bootDisk.diskId", "createdAt"];
}

internal sealed class Layers : IResourceKind
{
    public static string Path => "/compute/v1/layers";
    public static string Plural => "layers";
    public static string Noun => "layer";
    public static bool InFolder => false;
    public static string[] Columns => ["id", "size", "status", "referenceCount"];
}

internal sealed class Operations : IResourceKind
{
    public static string Path => "/operations";
    public static string Plural => "operations";
    public static string Noun => "operation";
    public static bool InFolder => false;
    public static string[] Columns => ["id", "description", "done", "createdAt"];
}

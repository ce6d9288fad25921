namespace Stratum;

/// <summary>The life cycle of an image.</summary>
public enum ImageStatus
{
    /// <summary>Its data is being copied or imported.</summary>
    Creating,
    /// <summary>Usable as a source.</summary>
    Ready,
    /// <summary>Creation failed; the operation says why.</summary>
    Error,
    /// <summary>Being deleted.</summary>
    Deleting,
    /// <summary>In its folder's recycle bin: readable by id, restorable until it is purged.</summary>
    Deleted,
}

/// <summary>The operating system of a boot image; it matters for CPU emulation and billing.</summary>
public enum OsType
{
    /// <summary>Linux.</summary>
    Linux,
    /// <summary>Windows; such boot images cannot be imported from a file.</summary>
    Windows,
}

/// <summary>The disk format of an image's data, detected from its bytes.</summary>
public enum ImageFormat
{
    /// <summary>QEMU copy-on-write v2/v3.</summary>
    Qcow2,
    /// <summary>VMware sparse disk.</summary>
    Vmdk,
    /// <summary>Microsoft virtual hard disk.</summary>
    Vhd,
    /// <summary>Plain bytes.</summary>
    Raw,
}

/// <summary>Whether an image is still recommended.</summary>
public enum DeprecationState
{
    /// <summary>Current: the family's latest can be this image.</summary>
    Active,
    /// <summary>Still usable, but skipped when resolving the family's latest.</summary>
    Deprecated,
    /// <summary>Skipped by latest and refused as a source for new resources.</summary>
    Obsolete,
}

/// <summary>Which images a list shows.</summary>
public enum ImageView
{
    /// <summary>The folder's images, without those in the recycle bin.</summary>
    Default,
    /// <summary>Only the images in the folder's recycle bin.</summary>
    RecycleBin,
}

namespace Stratum.Import.Inspection;

/// <summary>
/// The import-safety rules of the contract, each with the id that a refusal names, so a user (and
/// a script) can tell why an image was refused without reading our code.
/// </summary>
public static class ImportRule
{
    /// <summary>The image reads another file as its base (qcow2 backing file, VMDK parent).</summary>
    public const string BackingFile = "backing-file";

    /// <summary>The image keeps its data in another file (qcow2 external data file).</summary>
    public const string DataFile = "data-file";

    /// <summary>The data is encrypted (qcow2 encryption, LUKS); a hypervisor could not boot it.</summary>
    public const string Encryption = "encryption";

    /// <summary>A qcow2 incompatible feature bit or extension this inspector does not know.</summary>
    public const string UnknownFeature = "unknown-feature";

    /// <summary>A VMDK descriptor naming another file, a create type other than monolithicSparse or streamOptimized, or lines it cannot parse.</summary>
    public const string VmdkDescriptor = "vmdk-descriptor";

    /// <summary>A differencing disk (a VHD naming a parent).</summary>
    public const string DifferencingDisk = "differencing-disk";

    /// <summary>A checksum in the headers that does not match them.</summary>
    public const string Checksum = "checksum";

    /// <summary>Sizes in the headers that disagree with each other or with the data.</summary>
    public const string SizeMismatch = "size-mismatch";

    /// <summary>A table or structure the headers point to that lies outside the file (a truncated file, or a crafted one).</summary>
    public const string OutsideFile = "outside-file";

    /// <summary>A header field whose value overflows or is out of the format's range.</summary>
    public const string BadField = "bad-field";

    /// <summary>The bytes match more than one format.</summary>
    public const string Polyglot = "polyglot";

    /// <summary>A virtual size above 4 TiB, or of zero.</summary>
    public const string VirtualSize = "virtual-size";

    /// <summary>Raw data that is not a whole, non-zero number of 512-byte sectors, or is text (an error page).</summary>
    public const string NotADisk = "not-a-disk";

    /// <summary>A disk image format that is recognised but not accepted (VHDX, VDI, QED, ISO 9660, ...).</summary>
    public const string UnsupportedFormat = "unsupported-format";

    /// <summary>A compressed stream or an archive rather than a disk image.</summary>
    public const string Packed = "compressed-or-archive";

    /// <summary>The format named on create is not the format of the bytes.</summary>
    public const string FormatMismatch = "format-mismatch";

    /// <summary>A refusal (code 3) naming its rule.</summary>
    public static StratumException Refuse(string rule, string detail) =>
        StratumException.Invalid($"The image was refused by the import rule '{rule}': {detail}");
}

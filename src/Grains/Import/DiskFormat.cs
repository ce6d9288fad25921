using System.Buffers.Binary;

namespace Stratum.Import;

/// <summary>
/// Recognizes a disk image from its first bytes and its last 512 (a VHD's footer) and reads the
/// virtual disk size from its header; refuses compressed streams and archives.
/// </summary>
public static class DiskFormat
{
    /// <summary>How many leading bytes detection needs (tar's magic sits at 257).</summary>
    public const int HeaderBytes = 4096;
    public const int FooterBytes = 512;

    private static readonly (string Name, int Offset, byte[] Magic)[] Packed =
    [
        ("gzip", 0, [0x1F, 0x8B]),
        ("bzip2", 0, "BZh"u8.ToArray()),
        ("xz", 0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
        ("zstd", 0, [0x28, 0xB5, 0x2F, 0xFD]),
        ("lz4", 0, [0x04, 0x22, 0x4D, 0x18]),
        ("zip", 0, [0x50, 0x4B, 0x03, 0x04]),
        ("7z", 0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]),
        ("rar", 0, "Rar!\u001a\u0007"u8.ToArray()),
        ("tar", 257, "ustar"u8.ToArray()),
    ];

    /// <summary>Throws 400 when the leading bytes are a compressed stream or an archive.</summary>
    public static void RefusePacked(ReadOnlySpan<byte> header)
    {
        foreach (var (name, offset, magic) in Packed)
        {
            if (header.Length >= offset + magic.Length && header.Slice(offset, magic.Length).SequenceEqual(magic))
            {
                throw StratumException.Invalid($"The file is a {name} {(name is "zip" or "7z" or "rar" or "tar" ? "archive" : "compressed stream")}; import the disk image itself (qcow2, vmdk, vhd or raw), uncompressed.");
            }
        }
    }

    /// <summary>The format and the virtual disk size of a file of <paramref name="length"/> bytes.</summary>
    public static (ImageFormat Format, long VirtualSize) Detect(ReadOnlySpan<byte> header, ReadOnlySpan<byte> footer, long length)
    {
        if (header.StartsWith(Qcow2Magic))
        {
            Need(header, 32, "qcow2");
            var version = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
            if (version is not (2 or 3))
            {
                throw StratumException.Invalid($"The qcow2 header has version {version}; versions 2 and 3 are supported.");
            }
            return (ImageFormat.Qcow2, Positive(BinaryPrimitives.ReadInt64BigEndian(header[24..]), "qcow2"));
        }
        if (header.StartsWith("KDMV"u8))
        {
            Need(header, 20, "vmdk");
            var sectors = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
            return (ImageFormat.Vmdk, Positive(checked(sectors * 512), "vmdk"));
        }
        var vhdFooter = footer.Length == FooterBytes && footer.StartsWith("conectix"u8) ? footer
            : header.StartsWith("conectix"u8) ? header : default;
        if (!vhdFooter.IsEmpty)
        {
            Need(vhdFooter, 64, "vhd");
            return (ImageFormat.Vhd, Positive(BinaryPrimitives.ReadInt64BigEndian(vhdFooter[48..]), "vhd"));
        }
        return (ImageFormat.Raw, length);
    }

    private static void Need(ReadOnlySpan<byte> bytes, int count, string format)
    {
        if (bytes.Length < count)
        {
            throw StratumException.Invalid($"The {format} header is truncated.");
        }
    }

    private static long Positive(long size, string format) => size > 0
        ? size
        : throw StratumException.Invalid($"The {format} header gives a virtual size of {size} bytes.");

    private static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xFB];
}

using System.Buffers.Binary;

namespace Stratum.Import.Inspection;

/// <summary>A format a file's first bytes say it is: one Stratum reads, or one it refuses by name.</summary>
/// <param name="Name">The format's name in messages.</param>
/// <param name="Reader">Makes the reader of an accepted format; null for a refused one.</param>
/// <param name="Rule">The rule that refuses it (when <paramref name="Reader"/> is null).</param>
/// <param name="Why">What to tell the user (when refused).</param>
internal sealed record Signature(string Name, Func<StreamCapture, DiskReader>? Reader, string Rule = "", string Why = "");

/// <summary>
/// The magic numbers of every format this service recognises from a file's head (offsets from
/// each format's specification and from qemu's probes): the three it reads, the disk formats it
/// refuses by name, and compressed streams and archives. More than one match is a polyglot.
/// </summary>
internal static class Signatures
{
    private static readonly (string Name, int Offset, byte[] Magic, string Kind)[] Packed =
    [
        ("gzip", 0, [0x1F, 0x8B], "compressed stream"),
        ("compress (.Z)", 0, [0x1F, 0x9D], "compressed stream"),
        ("bzip2", 0, "BZh"u8.ToArray(), "compressed stream"),
        ("xz", 0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "compressed stream"),
        ("zstd", 0, [0x28, 0xB5, 0x2F, 0xFD], "compressed stream"),
        ("lz4", 0, [0x04, 0x22, 0x4D, 0x18], "compressed stream"),
        ("lz4 (legacy)", 0, [0x02, 0x21, 0x4C, 0x18], "compressed stream"),
        ("lzip", 0, "LZIP"u8.ToArray(), "compressed stream"),
        ("lzop", 0, [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A], "compressed stream"),
        ("squashfs", 0, "hsqs"u8.ToArray(), "compressed file system"),
        ("zip", 0, [0x50, 0x4B, 0x03, 0x04], "archive"),
        ("zip", 0, [0x50, 0x4B, 0x05, 0x06], "archive"),
        ("zip", 0, [0x50, 0x4B, 0x07, 0x08], "archive"),
        ("7z", 0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "archive"),
        ("rar", 0, "Rar!\u001a\u0007"u8.ToArray(), "archive"),
        ("tar", 257, "ustar"u8.ToArray(), "archive"),
        ("cpio", 0, "07070"u8.ToArray(), "archive"),
        ("cpio", 0, [0xC7, 0x71], "archive"),
        ("cpio", 0, [0x71, 0xC7], "archive"),
        ("ar", 0, "!<arch>\n"u8.ToArray(), "archive"),
        ("cab", 0, "MSCF\0\0\0\0"u8.ToArray(), "archive"),
        ("xar", 0, "xar!"u8.ToArray(), "archive"),
        ("wim", 0, "MSWIM\0\0\0"u8.ToArray(), "archive"),
        ("rpm", 0, [0xED, 0xAB, 0xEE, 0xDB], "archive"),
    ];

    private static readonly (string Name, int Offset, byte[] Magic, string Rule, string Why)[] RefusedDisks =
    [
        ("VHDX", 0, "vhdxfile"u8.ToArray(), ImportRule.UnsupportedFormat, "VHDX is not accepted; convert it to VHD, qcow2 or raw (qemu-img convert)."),
        ("QED", 0, "QED\0"u8.ToArray(), ImportRule.UnsupportedFormat, "QED is not accepted; convert it to qcow2 or raw."),
        ("LUKS", 0, [0x4C, 0x55, 0x4B, 0x53, 0xBA, 0xBE], ImportRule.Encryption, "LUKS-encrypted data cannot be booted by a hypervisor; import the decrypted image."),
        ("VMDK version 3 (COWD)", 0, "COWD"u8.ToArray(), ImportRule.UnsupportedFormat, "the old COWD sparse extent is not accepted; convert it to a monolithicSparse or streamOptimized VMDK."),
        ("Parallels", 0, "WithoutFreeSpace"u8.ToArray(), ImportRule.UnsupportedFormat, "Parallels disks are not accepted; convert to qcow2 or raw."),
        ("Parallels", 0, "WithouFreSpacExt"u8.ToArray(), ImportRule.UnsupportedFormat, "Parallels disks are not accepted; convert to qcow2 or raw."),
        ("Bochs", 0, "Bochs Virtual HD Image"u8.ToArray(), ImportRule.UnsupportedFormat, "Bochs disks are not accepted; convert to qcow2 or raw."),
        ("cloop", 0, "#!/bin/sh\n#V2.0 Format\nmodprobe cloop"u8.ToArray(), ImportRule.Packed, "cloop is a compressed image; import the disk image itself, uncompressed."),
    ];

    private static readonly int[] IsoDescriptors = [0x8001, 0x8801, 0x9001];
    private static readonly byte[][] IsoMagic = ["CD001"u8.ToArray(), "NSR02"u8.ToArray(), "NSR03"u8.ToArray(), "BEA01"u8.ToArray()];

    /// <summary>Every format the head matches (a well-formed file matches at most one).</summary>
    public static List<Signature> Match(ReadOnlySpan<byte> head)
    {
        var found = new List<Signature>();
        if (head.StartsWith((ReadOnlySpan<byte>)[0x51, 0x46, 0x49, 0xFB]))
        {
            found.Add(new Signature("qcow2", c => new Qcow2Reader(c)));
        }
        if (head.StartsWith("KDMV"u8))
        {
            found.Add(new Signature("VMDK", c => new VmdkReader(c)));
        }
        if (VhdReader.IsFooter(head))
        {
            found.Add(new Signature("VHD", VhdReader.FromHead));
        }
        if (head.Length >= 68 && BinaryPrimitives.ReadUInt32LittleEndian(head[64..]) == 0xBEDA107F)
        {
            found.Add(Refused("VDI", ImportRule.UnsupportedFormat, "VirtualBox VDI is not accepted; convert it to VMDK, VHD, qcow2 or raw (qemu-img convert)."));
        }
        if (VmdkDescriptor.IsTextDescriptor(head))
        {
            found.Add(Refused("VMDK descriptor", ImportRule.VmdkDescriptor, DescribeDescriptor(head)));
        }
        if (IsIso(head))
        {
            found.Add(Refused("ISO 9660", ImportRule.UnsupportedFormat, "ISO 9660 and UDF images are not accepted as disk images; install from the ISO onto a disk and import that disk."));
        }
        foreach (var (name, offset, magic, rule, why) in RefusedDisks)
        {
            if (head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic))
            {
                found.Add(Refused(name, rule, why));
            }
        }
        foreach (var (name, offset, magic, kind) in Packed)
        {
            if (head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic) && found.All(f => f.Name != name))
            {
                found.Add(PackedSignature(name, kind));
            }
        }
        if (IsLegacyLzma(head))
        {
            found.Add(PackedSignature("lzma", "compressed stream"));
        }
        if (IsV7Tar(head) && found.All(f => f.Name != "tar"))
        {
            found.Add(PackedSignature("tar", "archive"));
        }
        return found;
    }

    private static bool IsIso(ReadOnlySpan<byte> head)
    {
        foreach (var at in IsoDescriptors)
        {
            foreach (var magic in IsoMagic)
            {
                if (head.Length >= at + magic.Length && head.Slice(at, magic.Length).SequenceEqual(magic))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Apple's UDIF (DMG) ends with a 512-byte "koly" trailer.</summary>
    public static Signature? MatchTail(ReadOnlySpan<byte> tail) => tail.Length >= 512 && tail[^512..].StartsWith("koly"u8)
        ? Refused("DMG", ImportRule.UnsupportedFormat, "Apple disk images (DMG) are not accepted; convert to raw or qcow2.")
        : null;

    private static Signature Refused(string name, string rule, string why) => new(name, null, rule, why);

    private static Signature PackedSignature(string name, string kind) => Refused(name, ImportRule.Packed,
        $"the file is a {name} {kind}; import the disk image itself (qcow2, VMDK, VHD or raw), uncompressed.");

    /// <summary>
    /// LZMA "alone" streams have no magic: a properties byte below 225, a dictionary size that is
    /// 2^n or 2^n + 2^(n-1) (as every encoder writes it), and an uncompressed size that is unknown
    /// (all ones) or plausible. Together these almost never occur at the start of a disk.
    /// </summary>
    private static bool IsLegacyLzma(ReadOnlySpan<byte> head)
    {
        if (head.Length < 13 || head[0] >= 225)
        {
            return false;
        }
        var dictionary = BinaryPrimitives.ReadUInt32LittleEndian(head[1..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(head[5..]);
        var plausibleDictionary = dictionary >= 4096 && (PowerOfTwo(dictionary) || (dictionary % 3 == 0 && PowerOfTwo(dictionary / 3)));
        return plausibleDictionary && (size == ulong.MaxValue || size < (1UL << 48));
    }

    private static bool PowerOfTwo(uint value) => value != 0 && (value & (value - 1)) == 0;

    /// <summary>A pre-POSIX tar header has no magic but a checksum: the sum of its 512 bytes with the checksum field read as spaces.</summary>
    private static bool IsV7Tar(ReadOnlySpan<byte> head)
    {
        if (head.Length < 512 || head[0] == 0)
        {
            return false;
        }
        // The checksum field: octal digits, perhaps after spaces, ended by NUL or space.
        var field = head.Slice(148, 8).TrimStart((byte)' ');
        var digits = field.IndexOfAnyExceptInRange((byte)'0', (byte)'7');
        if (digits <= 0 || field[digits..].IndexOfAnyExcept((byte)0, (byte)' ') >= 0)
        {
            return false;
        }
        long stored = 0;
        foreach (var digit in field[..digits])
        {
            stored = (stored * 8) + (digit - '0');
        }
        long sum = 0;
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : head[i];
        }
        return sum == stored;
    }

    private static string DescribeDescriptor(ReadOnlySpan<byte> head)
    {
        var files = VmdkDescriptor.Parse(head[..Math.Min(head.Length, StreamCapture.HeadSize)], out _)?.Extents
            .Where(e => e.File is not null).Select(e => VmdkDescriptor.Quoted(e.File!)).ToList() ?? [];
        var names = files.Count > 0 ? $" ({string.Join(", ", files.Take(4))})" : "";
        return $"the file is a VMDK text descriptor, which names other files for a hypervisor to read{names}; import a monolithicSparse or streamOptimized VMDK, which holds its data itself.";
    }
}

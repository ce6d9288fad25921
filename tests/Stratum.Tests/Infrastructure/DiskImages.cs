using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// Writes small, structurally valid disk images with their fields laid out as qemu-img and the
/// formats' specifications lay them out (offsets noted at each write), so tests can make a valid
/// file and then break exactly one thing in it. Fixtures/qemu holds files qemu-img made, to check
/// these writers and the inspector against the real tool.
/// </summary>
public static class DiskImages
{
    public const long MiB = 1 << 20;
    private const int Sector = 512;

    /// <summary>
    /// A qcow2 laid out as qemu-img lays it out: header (cluster 0), refcount table (1), refcount
    /// block (2), L1 table (3); with <paramref name="data"/>, an L2 table (4) mapping the first
    /// guest cluster to a data cluster (5) holding the data.
    /// </summary>
    public static byte[] Qcow2(long virtualSize, int version = 3, int clusterBits = 16, byte[]? data = null)
    {
        var cluster = 1 << clusterBits;
        var l1Entries = (int)Math.Max(1, (virtualSize + ((long)cluster / 8 * cluster) - 1) / ((long)cluster / 8 * cluster));
        var clusters = data is null ? 4 : 6;
        var file = new byte[(long)cluster * clusters];
        file[0] = 0x51; file[1] = 0x46; file[2] = 0x49; file[3] = 0xFB;
        BE32(file, 4, (uint)version);
        BE32(file, 20, (uint)clusterBits);
        BE64(file, 24, (ulong)virtualSize);
        BE32(file, 36, (uint)l1Entries);           // l1_size
        BE64(file, 40, 3UL * (ulong)cluster);       // l1_table_offset
        BE64(file, 48, (ulong)cluster);             // refcount_table_offset
        BE32(file, 56, 1);                          // refcount_table_clusters
        if (version == 3)
        {
            BE32(file, 96, 4);                      // refcount_order: 16-bit refcounts
            BE32(file, 100, 104);                   // header_length; the extension area after it is zero: the end marker
        }
        BE64(file, cluster, 2UL * (ulong)cluster);  // refcount table -> refcount block
        for (var i = 0; i < clusters; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan((2 * cluster) + (2 * i)), 1);
        }
        if (data is not null)
        {
            BE64(file, 3 * cluster, (4UL * (ulong)cluster) | (1UL << 63));   // L1[0] -> L2, copied
            BE64(file, 4 * cluster, (5UL * (ulong)cluster) | (1UL << 63));   // L2[0] -> data cluster
            data.AsSpan(0, Math.Min(data.Length, cluster)).CopyTo(file.AsSpan(5 * cluster));
        }
        return file;
    }

    /// <summary>A monolithicSparse VMDK laid out as qemu-img lays it out: header, descriptor (sectors 1-20), redundant and primary grain directories and tables, no grains.</summary>
    public static byte[] Vmdk(long virtualSize, string createType = "monolithicSparse", string? extraDescriptor = null, string extent = "RW {0} SPARSE \"disk.vmdk\"")
    {
        var capacity = (ulong)virtualSize / Sector;
        var directoryEntries = (int)((capacity + (512 * 128) - 1) / (512 * 128));
        var directorySectors = ((directoryEntries * 4) + Sector - 1) / Sector;
        var redundant = 21;
        var redundantTables = redundant + directorySectors;
        var primary = redundantTables + (4 * directoryEntries);
        var primaryTables = primary + directorySectors;
        var overhead = ((primaryTables + (4 * directoryEntries) + 127) / 128) * 128;
        var file = new byte[overhead * Sector];
        "KDMV"u8.CopyTo(file);
        LE32(file, 4, 1);                       // version
        LE32(file, 8, 3);                       // flags: newline check, redundant grain table
        LE64(file, 12, capacity);               // capacity in sectors
        LE64(file, 20, 128);                    // grain size in sectors
        LE64(file, 28, 1);                      // descriptor at sector 1
        LE64(file, 36, 20);                     // descriptor sectors
        LE32(file, 44, 512);                    // grain table entries
        LE64(file, 48, (ulong)redundant);       // redundant grain directory
        LE64(file, 56, (ulong)primary);         // grain directory
        LE64(file, 64, (ulong)overhead);        // metadata sectors
        file[73] = (byte)'\n'; file[74] = (byte)' '; file[75] = (byte)'\r'; file[76] = (byte)'\n';
        for (var i = 0; i < directoryEntries; i++)
        {
            LE32(file, (redundant * Sector) + (4 * i), (uint)(redundantTables + (4 * i)));
            LE32(file, (primary * Sector) + (4 * i), (uint)(primaryTables + (4 * i)));
        }
        var descriptor = $"# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"{createType}\"\n\n" +
            $"# Extent description\n{string.Format(System.Globalization.CultureInfo.InvariantCulture, extent, capacity)}\n{extraDescriptor}\n" +
            "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n";
        Encoding.ASCII.GetBytes(descriptor).CopyTo(file, Sector);
        return file;
    }

    /// <summary>A fixed VHD: <paramref name="virtualSize"/> bytes of data (starting with a boot sector), then the 512-byte footer.</summary>
    public static byte[] VhdFixed(long virtualSize)
    {
        var file = new byte[virtualSize + Sector];
        BootSector().CopyTo(file, 0);
        VhdFooter(virtualSize, diskType: 2, dataOffset: ulong.MaxValue).CopyTo(file, virtualSize);
        return file;
    }

    /// <summary>
    /// A dynamic VHD: footer copy, dynamic header (offset 512), block allocation table (offset
    /// 1536), the allocated blocks (first block only, with <paramref name="data"/>), then the footer.
    /// </summary>
    public static byte[] VhdDynamic(long virtualSize, uint blockSize = 2 << 20, byte[]? data = null)
    {
        var entries = (uint)((virtualSize + blockSize - 1) / blockSize);
        var tableBytes = ((entries * 4) + Sector - 1) / Sector * Sector;
        var blocksAt = 1536 + tableBytes;
        var bitmap = Sector;
        var allocated = data is null ? 0 : bitmap + blockSize;
        var file = new byte[blocksAt + allocated + Sector];
        var footer = VhdFooter(virtualSize, diskType: 3, dataOffset: 512);
        footer.CopyTo(file, 0);
        footer.CopyTo(file, file.Length - Sector);
        var header = new byte[1024];
        "cxsparse"u8.CopyTo(header);
        BE64(header, 8, ulong.MaxValue);         // data offset: unused
        BE64(header, 16, 1536);                 // table offset
        BE32(header, 24, 0x00010000);            // header version
        BE32(header, 28, entries);               // max table entries
        BE32(header, 32, blockSize);             // block size
        BE32(header, 36, VhdChecksum(header, 36));
        header.CopyTo(file, 512);
        file.AsSpan(1536, (int)tableBytes).Fill(0xFF);
        if (data is not null)
        {
            BE32(file, 1536, (uint)(blocksAt / Sector));
            file.AsSpan((int)blocksAt, bitmap).Fill(0xFF);
            data.AsSpan(0, (int)Math.Min(data.Length, blockSize)).CopyTo(file.AsSpan((int)blocksAt + bitmap));
        }
        return file;
    }

    /// <summary>A VHD footer with its checksum (big-endian fields, offsets from Microsoft's VHD specification).</summary>
    public static byte[] VhdFooter(long size, uint diskType, ulong dataOffset)
    {
        var footer = new byte[Sector];
        "conectix"u8.CopyTo(footer);
        BE32(footer, 8, 2);                      // features: reserved bit
        BE32(footer, 12, 0x00010000);            // file format version
        BE64(footer, 16, dataOffset);
        "qem2"u8.CopyTo(footer.AsSpan(28));      // creator application: size from current size
        BE64(footer, 40, (ulong)size);           // original size
        BE64(footer, 48, (ulong)size);           // current size
        BE32(footer, 60, diskType);
        BE32(footer, 64, VhdChecksum(footer, 64));
        return footer;
    }

    /// <summary>Recomputes the checksum of a VHD footer or dynamic header after a test changed it.</summary>
    public static uint VhdChecksum(byte[] structure, int at)
    {
        uint sum = 0;
        for (var i = 0; i < structure.Length; i++)
        {
            if (i < at || i >= at + 4)
            {
                sum += structure[i];
            }
        }
        return ~sum;
    }

    /// <summary>
    /// A raw disk of <paramref name="sectors"/> sectors with a GUID partition table: protective
    /// MBR, header at LBA 1, 128 entries of 128 bytes at LBA 2, one partition, backup header at the last LBA.
    /// </summary>
    public static byte[] RawGpt(int sectors = 2048)
    {
        var file = new byte[(long)sectors * Sector];
        BootSector().CopyTo(file, 0);
        file[510] = 0x55; file[511] = 0xAA;                    // MBR boot signature
        file[446 + 4] = 0xEE;                                  // protective partition
        LE32(file, 446 + 8, 1);
        LE32(file, 446 + 12, (uint)(sectors - 1));
        var entries = new byte[128 * 128];
        new Guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4").ToByteArray().CopyTo(entries, 0); // Linux file system
        LE64(entries, 32, 34);
        LE64(entries, 40, (ulong)sectors - 34);
        entries.CopyTo(file, 2 * Sector);
        var header = file.AsSpan(Sector, 92);
        "EFI PART"u8.CopyTo(header);
        LE32(file, Sector + 8, 0x00010000);
        LE32(file, Sector + 12, 92);                           // header size
        LE64(file, Sector + 24, 1);                            // my LBA
        LE64(file, Sector + 32, (ulong)sectors - 1);           // alternate LBA
        LE64(file, Sector + 40, 34);
        LE64(file, Sector + 48, (ulong)sectors - 34);
        LE64(file, Sector + 72, 2);                            // entries LBA
        LE32(file, Sector + 80, 128);
        LE32(file, Sector + 84, 128);
        LE32(file, Sector + 88, Crc32.HashToUInt32(entries));
        FixGptHeaderCrc(file);
        return file;
    }

    /// <summary>Recomputes the primary GPT header's CRC32 after a test changed it.</summary>
    public static void FixGptHeaderCrc(byte[] file)
    {
        LE32(file, Sector + 16, 0);
        LE32(file, Sector + 16, Crc32.HashToUInt32(file.AsSpan(Sector, 92)));
    }

    /// <summary>Random bytes after an x86 boot sector's jump, in whole sectors.</summary>
    public static byte[] Raw(int bytes)
    {
        var file = new byte[bytes];
        Random.Shared.NextBytes(file);
        BootSector().AsSpan(0, Math.Min(bytes, 16)).CopyTo(file);
        return file;
    }

    public static byte[] Gzip()
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Raw(4096));
        }
        return output.ToArray();
    }

    /// <summary>The start of an x86 MBR: a jump, a NUL, no magic of any format.</summary>
    private static byte[] BootSector()
    {
        var sector = new byte[Sector];
        sector[0] = 0xEB; sector[1] = 0x63; sector[2] = 0x90;
        return sector;
    }

    public static void BE32(byte[] file, long at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)at), value);

    public static void BE64(byte[] file, long at, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan((int)at), value);

    public static void LE32(byte[] file, long at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan((int)at), value);

    public static void LE64(byte[] file, long at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan((int)at), value);
}

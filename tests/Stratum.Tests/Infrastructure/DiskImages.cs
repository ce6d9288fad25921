using System.Buffers.Binary;
using System.Text;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// Writes small but valid disk image files, with the header fields laid out as qemu-img writes
/// them, so import tests need no external tool.
/// </summary>
public static class DiskImages
{
    public const long MiB = 1 << 20;

    public static byte[] Qcow2(long virtualSize, int version = 3)
    {
        var file = new byte[64 * 1024 * 3];
        file[0] = 0x51; file[1] = 0x46; file[2] = 0x49; file[3] = 0xFB;
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), (uint)version);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 16); // cluster_bits
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(24), virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(36), 1); // l1_size
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(40), 0x30000); // l1_table_offset
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(48), 0x10000); // refcount_table_offset
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(56), 1);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(100), 104); // header_length (v3)
        return file;
    }

    public static byte[] Vmdk(long virtualSize)
    {
        var file = new byte[64 * 1024];
        Encoding.ASCII.GetBytes("KDMV").CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), 1); // version
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), 3); // flags
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(12), virtualSize / 512); // capacity in sectors
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(20), 128); // grain size
        return file;
    }

    /// <summary>A fixed VHD: the data, then the 512-byte footer.</summary>
    public static byte[] VhdFixed(long virtualSize, int dataBytes = 8192)
    {
        var file = new byte[dataBytes + 512];
        Random.Shared.NextBytes(file.AsSpan(0, dataBytes));
        var footer = file.AsSpan(dataBytes);
        Encoding.ASCII.GetBytes("conectix").CopyTo(footer);
        BinaryPrimitives.WriteUInt32BigEndian(footer[8..], 2); // features
        BinaryPrimitives.WriteUInt32BigEndian(footer[12..], 0x00010000); // version
        BinaryPrimitives.WriteInt64BigEndian(footer[16..], -1); // data offset: none for fixed
        BinaryPrimitives.WriteInt64BigEndian(footer[40..], virtualSize); // original size
        BinaryPrimitives.WriteInt64BigEndian(footer[48..], virtualSize); // current size
        BinaryPrimitives.WriteUInt32BigEndian(footer[60..], 2); // disk type: fixed
        return file;
    }

    public static byte[] Raw(int bytes)
    {
        var file = new byte[bytes];
        Random.Shared.NextBytes(file);
        file[0] = 0xEB; // an x86 boot sector starts with a jump, never with a known magic
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
}

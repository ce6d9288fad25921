using System.Buffers.Binary;
using System.IO.Hashing;

namespace Stratum.Import.Inspection;

/// <summary>
/// Raw disk bytes: a whole, non-zero number of 512-byte sectors that are not text. When they
/// start with a GUID partition table (a protective MBR, then "EFI PART" at LBA 1), its header and
/// entry array must carry their CRC32s and, with the backup header, lie inside the data: a GPT
/// pointing past the end means the image was cut short. The same checks apply to a fixed VHD's data.
/// </summary>
internal sealed class RawDisk(StreamCapture capture) : DiskReader(capture)
{
    private const int Sector = 512;
    private const int MbrEntries = 446;
    private const byte ProtectiveType = 0xEE;

    private int _gptSector;
    private ulong _alternateLba, _entriesOffset, _entriesBytes;
    private uint _entriesCrc;
    private byte[]? _entries;

    public override ImageFormat Format => ImageFormat.Raw;

    public override string Name => "raw";

    /// <summary>The 0x55 0xAA boot signature that ends an MBR (or a FAT boot sector).</summary>
    public static bool HasBootSignature(ReadOnlySpan<byte> head) => head.Length >= Sector && head[510] == 0x55 && head[511] == 0xAA;

    public override void Begin()
    {
        var head = Capture.Head;
        if (!HasBootSignature(head) || !HasProtectivePartition(head))
        {
            return;
        }
        foreach (var sector in (int[])[512, 4096])
        {
            if (head.Length >= sector * 2 && head.Slice(sector, 8).SequenceEqual("EFI PART"u8))
            {
                ReadGpt(head.Slice(sector, sector), sector);
                return;
            }
        }
    }

    public override long End()
    {
        var length = Capture.Position;
        var start = Capture.Head[..(int)Math.Min(Capture.Head.Length, Sector)];
        if (IsText(start))
        {
            throw ImportRule.Refuse(ImportRule.NotADisk, $"the data is text ({Quote(start[..Math.Min(start.Length, 40)])}…), not a disk image; did the source answer with an error page?");
        }
        if (length == 0 || length % Sector != 0)
        {
            throw ImportRule.Refuse(ImportRule.NotADisk, $"the data is {length} bytes, not a whole, non-zero number of 512-byte sectors, so it is no raw disk (nor any format this service recognises).");
        }
        CheckPartitionTable((ulong)length);
        return length;
    }

    /// <summary>The checks of a GUID partition table found at the start, against the data's length.</summary>
    public void CheckPartitionTable(ulong dataLength)
    {
        if (_gptSector == 0)
        {
            return;
        }
        if (!Within(_entriesOffset, _entriesBytes, dataLength) || _entries is null)
        {
            throw Refuse(ImportRule.OutsideFile, $"the GPT's partition entries ({_entriesBytes} bytes at offset {_entriesOffset}) lie outside the {dataLength} bytes of data; is it truncated?");
        }
        if (Crc32.HashToUInt32(_entries) != _entriesCrc)
        {
            throw Refuse(ImportRule.Checksum, "the GPT's partition entry array does not match its CRC32.");
        }
        if (_alternateLba >= dataLength / (ulong)_gptSector)
        {
            throw Refuse(ImportRule.SizeMismatch, $"the GPT says the disk has {_alternateLba + 1} sectors of {_gptSector} bytes, but the data holds {dataLength / (ulong)_gptSector}; is it truncated?");
        }
    }

    private static bool HasProtectivePartition(ReadOnlySpan<byte> head)
    {
        for (var i = 0; i < 4; i++)
        {
            if (head[MbrEntries + (16 * i) + 4] == ProtectiveType)
            {
                return true;
            }
        }
        return false;
    }

    private void ReadGpt(ReadOnlySpan<byte> header, int sector)
    {
        var size = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (size < 92 || size > sector)
        {
            throw Refuse(ImportRule.BadField, $"the GPT header size {size} is out of range (92 to {sector}).");
        }
        var copy = header[..(int)size].ToArray();
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(16));
        copy.AsSpan(16, 4).Clear();
        if (Crc32.HashToUInt32(copy) != crc)
        {
            throw Refuse(ImportRule.Checksum, "the GPT header does not match its CRC32.");
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[24..]) != 1)
        {
            throw Refuse(ImportRule.BadField, "the primary GPT header does not say it is at LBA 1.");
        }
        _alternateLba = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        var entriesLba = BinaryPrimitives.ReadUInt64LittleEndian(header[72..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header[80..]);
        var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header[84..]);
        _entriesCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[88..]);
        _entriesBytes = (ulong)count * entrySize;
        if (entrySize < 128 || (entrySize & (entrySize - 1)) != 0 || _entriesBytes is 0 or > StreamCapture.MaxRegion
            || entriesLba < 2 || entriesLba > ulong.MaxValue / (ulong)sector)
        {
            throw Refuse(ImportRule.BadField, $"the GPT's partition entry array ({count} entries of {entrySize} bytes at LBA {entriesLba}) is out of range.");
        }
        _entriesOffset = entriesLba * (ulong)sector;
        _gptSector = sector;
        Keep("GPT partition entry array", _entriesOffset, (int)_entriesBytes, entries => _entries = entries);
    }

    /// <summary>No NUL, no control character but tab and line ends, no DEL: every boot sector and file system has some.</summary>
    private static bool IsText(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is < 0x20 and not ((byte)'\t' or (byte)'\r' or (byte)'\n') or 0x7F)
            {
                return false;
            }
        }
        return !bytes.IsEmpty;
    }
}

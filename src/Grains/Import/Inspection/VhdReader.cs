using System.Buffers.Binary;

namespace Stratum.Import.Inspection;

/// <summary>
/// A VHD (Microsoft's "Virtual Hard Disk Image Format Specification"; big-endian): fixed (the
/// disk's bytes, then a 512-byte footer) or dynamic (a footer copy, a dynamic header, a block
/// allocation table, blocks, the footer). Differencing disks name a parent and are refused;
/// footers and dynamic headers must carry their checksums; a fixed disk's data must be exactly
/// its size; every allocated block must lie inside the file.
/// </summary>
internal sealed class VhdReader : DiskReader
{
    private const int FooterSize = 512;
    private const int DynamicHeaderSize = 1024;
    private const uint Fixed = 2, Dynamic = 3, Differencing = 4;
    private const uint Unallocated = uint.MaxValue;
    private const ulong MaxTableBytes = 32 << 20;

    private readonly bool _dynamic;
    private readonly FurthestEnd _pointed = new();
    private byte[]? _footerCopy;
    private byte[]? _dynamicHeader;
    private ulong _currentSize, _tableOffset, _tableBytes;
    private RawDisk? _disk;

    private VhdReader(StreamCapture capture, bool dynamic) : base(capture) => _dynamic = dynamic;

    /// <summary>A VHD whose footer copy starts the file: dynamic (or differencing).</summary>
    public static VhdReader FromHead(StreamCapture capture) => new(capture, dynamic: true);

    /// <summary>A VHD known only by the footer at its end: fixed.</summary>
    public static VhdReader FromTail(StreamCapture capture, RawDisk disk) => new(capture, dynamic: false) { _disk = disk };

    public override ImageFormat Format => ImageFormat.Vhd;

    public override string Name => "VHD";

    public static bool IsFooter(ReadOnlySpan<byte> bytes) => bytes.Length >= FooterSize && bytes.StartsWith("conectix"u8);

    public override void Begin()
    {
        var head = Capture.Head;
        if (head.Length < FooterSize)
        {
            throw Refuse(ImportRule.OutsideFile, $"the footer copy at the start is cut off: the file is {head.Length} bytes.");
        }
        _footerCopy = head[..FooterSize].ToArray();
        var type = CheckFooter(_footerCopy, "the footer copy at the start");
        if (type != Dynamic)
        {
            throw Refuse(ImportRule.BadField, $"disk type {type} has no footer copy at the start; only a dynamic disk does.");
        }
        var offset = U64(_footerCopy, 16);
        if (offset < FooterSize || offset % 512 != 0 || offset > long.MaxValue)
        {
            throw Refuse(ImportRule.BadField, $"its dynamic header offset {offset} is invalid.");
        }
        Keep("dynamic header", offset, DynamicHeaderSize, ReadDynamicHeader);
    }

    public override long End()
    {
        var length = (ulong)Capture.Position;
        var tail = Capture.Tail;
        if (tail.Length < FooterSize || !IsFooter(tail[^FooterSize..]))
        {
            throw Refuse(ImportRule.OutsideFile, "the footer at the end is missing: the file is truncated.");
        }
        var footer = tail[^FooterSize..].ToArray();
        return _dynamic ? EndDynamic(footer, length) : EndFixed(footer, length);
    }

    private long EndDynamic(byte[] footer, ulong length)
    {
        CheckFooter(footer, "the footer");
        if (!footer.AsSpan().SequenceEqual(_footerCopy))
        {
            throw Refuse(ImportRule.SizeMismatch, "the footer at the end differs from its copy at the start.");
        }
        if (_dynamicHeader is null)
        {
            throw Refuse(ImportRule.OutsideFile, $"its dynamic header lies outside the file of {length} bytes; is it truncated?");
        }
        var dataEnd = length - FooterSize;
        if (!Within(_tableOffset, _tableBytes, dataEnd))
        {
            throw Refuse(ImportRule.OutsideFile, $"its block allocation table ({_tableBytes} bytes at offset {_tableOffset}) lies outside the file of {length} bytes; is it truncated?");
        }
        if (_pointed.Value > dataEnd)
        {
            throw Refuse(ImportRule.OutsideFile, $"its block allocation table points to blocks up to offset {_pointed.Value}, outside the file of {length} bytes; is it truncated?");
        }
        return (long)_currentSize;
    }

    private long EndFixed(byte[] footer, ulong length)
    {
        var type = CheckFooter(footer, "the footer");
        if (type == Dynamic)
        {
            throw Refuse(ImportRule.OutsideFile, "a dynamic disk lacks its footer copy at the start: the file is damaged.");
        }
        if (U64(footer, 16) != ulong.MaxValue)
        {
            throw Refuse(ImportRule.BadField, "a fixed disk's footer names a data offset.");
        }
        if (length - FooterSize != _currentSize)
        {
            throw Refuse(ImportRule.SizeMismatch, $"the footer says the disk is {_currentSize} bytes, but the data before it is {length - FooterSize} bytes.");
        }
        _disk!.CheckPartitionTable(length - FooterSize);
        return (long)_currentSize;
    }

    /// <summary>Checks a footer's checksum, type and size, and returns its disk type.</summary>
    private uint CheckFooter(byte[] footer, string which)
    {
        if (!Checksum(footer, 64))
        {
            throw Refuse(ImportRule.Checksum, $"{which}'s checksum does not match it.");
        }
        var type = U32(footer, 60);
        if (type == Differencing)
        {
            throw Refuse(ImportRule.DifferencingDisk, "it is a differencing disk, which names a parent file that a hypervisor would read from its own host.");
        }
        if (type is not (Fixed or Dynamic))
        {
            throw Refuse(ImportRule.BadField, $"disk type {type} is not fixed (2) or dynamic (3).");
        }
        _currentSize = U64(footer, 48);
        if (_currentSize > long.MaxValue)
        {
            throw Refuse(ImportRule.BadField, $"its size {_currentSize} overflows.");
        }
        return type;
    }

    private void ReadDynamicHeader(byte[] header)
    {
        if (!header.AsSpan().StartsWith("cxsparse"u8))
        {
            throw Refuse(ImportRule.BadField, "its dynamic header has no 'cxsparse' cookie.");
        }
        if (!Checksum(header, 36))
        {
            throw Refuse(ImportRule.Checksum, "its dynamic header's checksum does not match it.");
        }
        _tableOffset = U64(header, 16);
        var entries = (ulong)U32(header, 28);
        var blockSize = (ulong)U32(header, 32);
        if (blockSize < 512 || (blockSize & (blockSize - 1)) != 0)
        {
            throw Refuse(ImportRule.BadField, $"its block size {blockSize} is not a power of two of at least 512.");
        }
        _tableBytes = entries * 4;
        if (_tableBytes > MaxTableBytes || _tableOffset % 512 != 0)
        {
            throw Refuse(ImportRule.BadField, $"its block allocation table ({_tableBytes} bytes at offset {_tableOffset}) is misaligned or larger than {MaxTableBytes}.");
        }
        if (entries * blockSize < _currentSize)
        {
            throw Refuse(ImportRule.SizeMismatch, $"its {entries} blocks of {blockSize} bytes hold less than its size of {_currentSize} bytes.");
        }
        // Each block is preceded by its sector bitmap, a bit a sector rounded up to whole sectors.
        var bitmap = (blockSize / 512 / 8 + 511) / 512 * 512;
        Scan("block allocation table", _tableOffset, _tableBytes, 4, entry =>
        {
            var sector = BinaryPrimitives.ReadUInt32BigEndian(entry);
            if (sector != Unallocated)
            {
                _pointed.Note(sector * 512UL, bitmap + blockSize);
            }
        });
        _dynamicHeader = header;
    }

    /// <summary>The VHD checksum: the ones' complement of the sum of every byte but the checksum's own four.</summary>
    private static bool Checksum(byte[] structure, int at)
    {
        uint sum = 0;
        for (var i = 0; i < structure.Length; i++)
        {
            if (i < at || i >= at + 4)
            {
                sum += structure[i];
            }
        }
        return ~sum == U32(structure, at);
    }

    private static uint U32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]);

    private static ulong U64(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64BigEndian(bytes[offset..]);
}

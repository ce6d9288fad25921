using System.Buffers.Binary;

namespace Stratum.Import.Inspection;

/// <summary>
/// A VMDK hosted sparse extent (<c>KDMV</c>, little-endian header): monolithicSparse and
/// streamOptimized. Its embedded descriptor must name nothing but the file itself (no parent, one
/// SPARSE extent); its grain directories must lie inside the file and point inside it. A
/// streamOptimized file whose grain directory is at the end is checked against its footer.
/// </summary>
internal sealed class VmdkReader(StreamCapture capture) : DiskReader(capture)
{
    private const int HeaderSize = 512;
    private const ulong GrainDirectoryAtEnd = ulong.MaxValue;
    private const uint NewlineDetection = 1, RedundantGrainTable = 2, ZeroedGrainEntries = 4, CompressedGrains = 1 << 16;
    private const ulong MaxGrainDirectoryBytes = 32 << 20;
    private const int MarkerFooter = 3, MarkerEndOfStream = 0;

    private readonly FurthestEnd _pointed = new();
    private byte[]? _descriptor;
    private ulong _capacitySectors, _descriptorOffset, _descriptorBytes, _overhead;
    private ulong _grainDirectoryBytes, _grainTableBytes;
    private readonly List<(string Name, ulong Offset)> _directories = [];
    private bool _directoryAtEnd;
    private uint _flags;
    private ulong _grainBytes;
    private byte[] _header = [];

    public override ImageFormat Format => ImageFormat.Vmdk;

    public override string Name => "VMDK";

    public override void Begin()
    {
        var head = Capture.Head;
        if (head.Length < HeaderSize)
        {
            throw Refuse(ImportRule.OutsideFile, $"the header is cut off: the file is {head.Length} bytes.");
        }
        _header = head[..HeaderSize].ToArray();
        var version = U32(head, 4);
        if (version is < 1 or > 3)
        {
            throw Refuse(ImportRule.BadField, $"version {version} is not a sparse extent version (1 to 3).");
        }
        var flags = _flags = U32(head, 8);
        if ((flags & NewlineDetection) != 0 && !(head[73] == '\n' && head[74] == ' ' && head[75] == '\r' && head[76] == '\n'))
        {
            throw Refuse(ImportRule.BadField, "its line-ending check bytes are changed: the file was transferred as text and is corrupt.");
        }
        _capacitySectors = U64(head, 12);
        if (_capacitySectors > long.MaxValue / 512)
        {
            throw Refuse(ImportRule.BadField, $"its capacity of {_capacitySectors} sectors overflows.");
        }
        var grain = U64(head, 20);
        if (grain is 0 or > 0x200000 || (grain & (grain - 1)) != 0)
        {
            throw Refuse(ImportRule.BadField, $"its grain size of {grain} sectors is not a power of two up to 1 GiB.");
        }
        _grainBytes = grain * 512;
        var tableEntries = U32(head, 44);
        if (tableEntries is 0 or > 512)
        {
            throw Refuse(ImportRule.BadField, $"{tableEntries} entries per grain table is out of range (1 to 512).");
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(head[77..]) is var compression and > 1)
        {
            throw Refuse(ImportRule.UnknownFeature, $"compression algorithm {compression} is not known (0 none, 1 deflate).");
        }
        _overhead = U64(head, 64);
        KeepDescriptor(head);
        var perDirectoryEntry = tableEntries * grain;
        var directoryEntries = _capacitySectors / perDirectoryEntry + (_capacitySectors % perDirectoryEntry == 0 ? 0UL : 1UL);
        _grainDirectoryBytes = directoryEntries * 4;
        _grainTableBytes = tableEntries * 4UL;
        if (_grainDirectoryBytes > MaxGrainDirectoryBytes)
        {
            throw Refuse(ImportRule.BadField, $"its grain directory of {_grainDirectoryBytes} bytes is larger than {MaxGrainDirectoryBytes}.");
        }
        var directory = U64(head, 56);
        if (directory == GrainDirectoryAtEnd)
        {
            if ((flags & CompressedGrains) == 0)
            {
                throw Refuse(ImportRule.BadField, "its grain directory is at the end, which only a streamOptimized (compressed) file may do.");
            }
            _directoryAtEnd = true;
            return;
        }
        ScanDirectory("grain directory", directory);
        if ((flags & RedundantGrainTable) != 0)
        {
            ScanDirectory("redundant grain directory", U64(head, 48));
        }
    }

    public override long End()
    {
        var length = (ulong)Capture.Position;
        if (_descriptor is null)
        {
            throw Refuse(ImportRule.OutsideFile, $"its descriptor ({_descriptorBytes} bytes at offset {_descriptorOffset}) lies outside the file of {length} bytes.");
        }
        CheckDescriptor();
        var dataEnd = length;
        if (_directoryAtEnd)
        {
            dataEnd = CheckStreamFooter(length);
        }
        foreach (var (name, offset) in _directories)
        {
            if (!Within(offset, _grainDirectoryBytes, dataEnd))
            {
                throw Refuse(ImportRule.OutsideFile, $"its {name} ({_grainDirectoryBytes} bytes at offset {offset}) lies outside the file of {length} bytes; is it truncated?");
            }
        }
        if (_pointed.Value > dataEnd || _overhead > dataEnd / 512)
        {
            throw Refuse(ImportRule.OutsideFile, $"its grain tables or metadata reach offset {Math.Max(_pointed.Value, _overhead * 512)}, outside the file of {length} bytes; is it truncated?");
        }
        return (long)(_capacitySectors * 512);
    }

    /// <summary>Every tool writes the descriptor right after the header (qemu and Glance insist on sector 1).</summary>
    private void KeepDescriptor(ReadOnlySpan<byte> head)
    {
        var sector = U64(head, 28);
        var sectors = U64(head, 36);
        if (sector != 1 || sectors is 0 or > (StreamCapture.MaxRegion / 512))
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"its embedded descriptor ({sectors} sectors at sector {sector}) is missing or misplaced; it must start at sector 1 and be at most 1 MiB.");
        }
        _descriptorOffset = sector * 512;
        _descriptorBytes = sectors * 512;
        Keep("descriptor", _descriptorOffset, (int)_descriptorBytes, bytes => _descriptor = bytes);
    }

    private void CheckDescriptor()
    {
        var descriptor = VmdkDescriptor.Parse(_descriptor, out var problem)
            ?? throw Refuse(ImportRule.VmdkDescriptor, problem!);
        var createType = descriptor.CreateType;
        if (!string.Equals(createType, "monolithicSparse", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(createType, "streamOptimized", StringComparison.OrdinalIgnoreCase))
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"create type '{createType}' is not accepted; only monolithicSparse and streamOptimized are.");
        }
        if (descriptor.Fields.TryGetValue("parentfilenamehint", out var parent))
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"it names a parent disk {VmdkDescriptor.Quoted(parent)}, which a hypervisor would read from its own host.");
        }
        if (descriptor.Fields.TryGetValue("parentcid", out var parentCid) && !string.Equals(parentCid, "ffffffff", StringComparison.OrdinalIgnoreCase))
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"it is a delta disk of a parent (parentCID {VmdkDescriptor.Quoted(parentCid)}).");
        }
        if (descriptor.Extents is not [var extent])
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"it lists {descriptor.Extents.Count} extents; a self-contained sparse file has exactly one.");
        }
        if (extent.Type != "SPARSE" || extent.Access == "NOACCESS" || extent.File is null or "" || extent.File.IndexOfAny(['/', '\\']) >= 0)
        {
            throw Refuse(ImportRule.VmdkDescriptor, $"its extent {extent.Access} {extent.Type} '{extent.File}' names another file; it must be the SPARSE file itself.");
        }
        if ((ulong)extent.Sectors != _capacitySectors)
        {
            throw Refuse(ImportRule.SizeMismatch, $"its descriptor's extent has {extent.Sectors} sectors but the header's capacity is {_capacitySectors}.");
        }
    }

    /// <summary>
    /// The last 1,536 bytes of a streamOptimized file whose directory is at the end: a footer
    /// marker, a copy of the header that says where the directory is, an end-of-stream marker.
    /// Returns where the data before them ends.
    /// </summary>
    private ulong CheckStreamFooter(ulong length)
    {
        var tail = Capture.Tail;
        if (tail.Length < StreamCapture.TailSize)
        {
            throw Refuse(ImportRule.OutsideFile, "its footer is missing: the file is truncated.");
        }
        if (!Marker(tail[..512], MarkerFooter) || !Marker(tail[1024..], MarkerEndOfStream) || U64(tail, 1024) != 0)
        {
            throw Refuse(ImportRule.OutsideFile, "its footer or end-of-stream marker is missing or damaged: the file is truncated.");
        }
        var footer = tail.Slice(512, 512);
        if (!footer[..4].SequenceEqual("KDMV"u8) || U32(footer, 4) != U32(_header, 4) || U64(footer, 12) != U64(_header, 12)
            || U64(footer, 28) != U64(_header, 28) || U64(footer, 36) != U64(_header, 36))
        {
            throw Refuse(ImportRule.SizeMismatch, "its footer does not match its header.");
        }
        var directory = U64(footer, 56);
        if (directory == GrainDirectoryAtEnd || directory == 0)
        {
            throw Refuse(ImportRule.BadField, "its footer does not say where the grain directory is.");
        }
        _directories.Add(("grain directory", directory * 512));
        return length - StreamCapture.TailSize;
    }

    private static bool Marker(ReadOnlySpan<byte> marker, int type) =>
        BinaryPrimitives.ReadUInt32LittleEndian(marker[8..]) == 0 && BinaryPrimitives.ReadUInt32LittleEndian(marker[12..]) == type
        && marker[16..].IndexOfAnyExcept((byte)0) < 0;

    private void ScanDirectory(string name, ulong sector)
    {
        if (sector == 0 || sector > ulong.MaxValue / 512)
        {
            throw Refuse(ImportRule.BadField, $"its {name} sector {sector} is invalid.");
        }
        var offset = sector * 512;
        _directories.Add((name, offset));
        Scan(name, offset, _grainDirectoryBytes, 4, entry =>
        {
            var table = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (table != 0)
            {
                _pointed.Note(table * 512, _grainTableBytes);
                // A grain table still to come has its grains checked too.
                Capture.Scan(table * 512, _grainTableBytes, 4, NoteGrain);
            }
        });
    }

    /// <summary>A grain table entry: a grain's sector, 0 for none, 1 for zeros where the header allows it.</summary>
    private void NoteGrain(ReadOnlySpan<byte> entry)
    {
        var sector = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry);
        if (sector == 0 || (sector == 1 && (_flags & ZeroedGrainEntries) != 0))
        {
            return;
        }
        if ((_flags & CompressedGrains) == 0)
        {
            _pointed.Note(sector * 512, _grainBytes);
            return;
        }
        // A compressed grain starts with a marker: its guest sector (8 bytes) and its compressed length (4).
        var offset = sector * 512;
        _pointed.Note(offset, 512);
        Capture.Capture(offset, 12, marker => _pointed.Note(offset, 12UL + BinaryPrimitives.ReadUInt32LittleEndian(marker.AsSpan(8))));
    }

    private static uint U32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    private static ulong U64(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
}

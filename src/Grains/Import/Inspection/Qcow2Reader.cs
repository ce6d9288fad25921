using System.Buffers.Binary;

namespace Stratum.Import.Inspection;

/// <summary>
/// qcow2 (versions 2 and 3; field offsets from the qcow2 specification in qemu's docs/interop).
/// Refuses what would make a hypervisor read another file (backing file, external data file),
/// what it could not read (encryption, unknown incompatible features), and headers whose fields
/// are out of range or whose tables (L1, refcount) lie outside the file; every L1 and refcount
/// table entry is checked as it streams by.
/// </summary>
internal sealed class Qcow2Reader(StreamCapture capture) : DiskReader(capture)
{
    private const int V2HeaderLength = 72;
    private const int MinV3HeaderLength = 104;
    private const ulong MaxL1Bytes = 32 << 20;        // qemu's QCOW_MAX_L1_SIZE
    private const ulong MaxRefcountTableBytes = 8 << 20; // qemu's QCOW_MAX_REFTABLE_SIZE
    private const uint MaxSnapshots = 65536;           // qemu's QCOW_MAX_SNAPSHOTS
    private const int MinSnapshotEntry = 40;

    // Incompatible feature bits (v3).
    private const ulong Dirty = 1, Corrupt = 2, ExternalData = 4, CompressionType = 8, ExtendedL2 = 16;
    private const ulong KnownIncompatible = Dirty | Corrupt | ExternalData | CompressionType | ExtendedL2;

    // Header extension types.
    private const uint BackingFormatExtension = 0xE2792ACA;
    private const uint EncryptionExtension = 0x0537BE77;
    private const uint DataFileExtension = 0x44415441;

    // Offset bits of L1 and refcount table entries; the rest are flags or reserved.
    private const ulong L1OffsetMask = 0x00FF_FFFF_FFFF_FE00;
    private const ulong L1ReservedMask = 0x7F00_0000_0000_01FF;
    private const ulong RefcountReservedMask = 0x1FF;

    private readonly FurthestEnd _pointed = new();
    private ulong _virtualSize;
    private ulong _clusterSize;
    private int _clusterBits;
    private int _l2EntrySize;
    private ulong _l1Offset, _l1Bytes, _refcountOffset, _refcountBytes, _snapshotsOffset, _snapshotsBytes;

    public override ImageFormat Format => ImageFormat.Qcow2;

    public override string Name => "qcow2";

    public override void Begin()
    {
        var head = Capture.Head;
        if (head.Length < V2HeaderLength)
        {
            throw Refuse(ImportRule.OutsideFile, $"the header is cut off: the file is {head.Length} bytes.");
        }
        var version = U32(head, 4);
        if (version == 1)
        {
            throw Refuse(ImportRule.UnsupportedFormat, "this is the original qcow (version 1), which is not accepted; convert it to qcow2.");
        }
        if (version is not (2 or 3))
        {
            throw Refuse(ImportRule.BadField, $"version {version} is not a qcow2 version (2 or 3).");
        }
        var headerLength = version == 2 ? V2HeaderLength : (int)Math.Min(U32(head, 100), int.MaxValue);
        CheckBackingFile(head);
        var incompatible = version == 3 ? U64(head, 72) : 0;
        if (version == 3)
        {
            CheckFeatures(head, headerLength, incompatible);
        }
        if (U32(head, 32) is var crypt and not 0)
        {
            throw Refuse(ImportRule.Encryption, $"the data is encrypted (crypt_method {crypt}); import the decrypted image.");
        }
        var clusterBits = U32(head, 20);
        if (clusterBits is < 9 or > 21)
        {
            throw Refuse(ImportRule.BadField, $"cluster_bits {clusterBits} is out of range (9 to 21).");
        }
        _clusterBits = (int)clusterBits;
        _clusterSize = 1UL << _clusterBits;
        if ((ulong)headerLength > _clusterSize)
        {
            throw Refuse(ImportRule.BadField, $"the header ({headerLength} bytes) is larger than a cluster ({_clusterSize} bytes).");
        }
        ReadExtensions(head, headerLength);
        _virtualSize = U64(head, 24);
        if (_virtualSize > long.MaxValue)
        {
            throw Refuse(ImportRule.BadField, $"the virtual size {_virtualSize} overflows.");
        }
        ScanL1(head, incompatible);
        ScanRefcountTable(head);
        CheckSnapshots(head);
    }

    public override long End()
    {
        var length = (ulong)Capture.Position;
        foreach (var (table, offset, bytes) in new[]
        {
            ("L1 table", _l1Offset, _l1Bytes),
            ("refcount table", _refcountOffset, _refcountBytes),
            ("snapshot table", _snapshotsOffset, _snapshotsBytes),
        })
        {
            if (bytes > 0 && !Within(offset, bytes, length))
            {
                throw Refuse(ImportRule.OutsideFile, $"the {table} ({bytes} bytes at offset {offset}) lies outside the file of {length} bytes; is it truncated?");
            }
        }
        if (_pointed.Value > length)
        {
            throw Refuse(ImportRule.OutsideFile, $"its tables point to clusters up to offset {_pointed.Value}, outside the file of {length} bytes; is it truncated?");
        }
        return (long)_virtualSize;
    }

    private void CheckBackingFile(ReadOnlySpan<byte> head)
    {
        var offset = U64(head, 8);
        if (offset == 0)
        {
            return;
        }
        var size = U32(head, 16);
        var name = size is > 0 and <= 1023 && Within(offset, size, (ulong)head.Length) ? " " + Quote(head.Slice((int)offset, (int)size)) : "";
        throw Refuse(ImportRule.BackingFile, $"it names a backing file{name}, which a hypervisor would read from its own host; import a self-contained image (qemu-img convert flattens it).");
    }

    private void CheckFeatures(ReadOnlySpan<byte> head, int headerLength, ulong incompatible)
    {
        if (head.Length < MinV3HeaderLength || headerLength < MinV3HeaderLength || headerLength % 8 != 0)
        {
            throw Refuse(ImportRule.BadField, $"the version 3 header length {headerLength} is invalid (at least {MinV3HeaderLength}, a multiple of 8, within the file).");
        }
        if ((incompatible & ExternalData) != 0)
        {
            throw Refuse(ImportRule.DataFile, "it keeps its data in an external data file, which a hypervisor would read from its own host.");
        }
        if ((incompatible & ~KnownIncompatible) is var unknown and not 0)
        {
            var bits = Enumerable.Range(0, 64).Where(b => (unknown & (1UL << b)) != 0);
            throw Refuse(ImportRule.UnknownFeature, $"incompatible feature bit(s) {string.Join(", ", bits)} are not known, so the image cannot be read safely.");
        }
        if ((incompatible & Corrupt) != 0)
        {
            throw Refuse(ImportRule.BadField, "the header marks the image corrupt; repair it (qemu-img check -r all) before importing.");
        }
        if (U32(head, 96) is var refcountOrder and > 6)
        {
            throw Refuse(ImportRule.BadField, $"refcount_order {refcountOrder} is out of range (0 to 6).");
        }
        var compression = headerLength > MinV3HeaderLength && head.Length > MinV3HeaderLength ? head[MinV3HeaderLength] : 0;
        if (compression > 1)
        {
            throw Refuse(ImportRule.UnknownFeature, $"compression type {compression} is not known (0 zlib, 1 zstd).");
        }
        if (compression != 0 && (incompatible & CompressionType) == 0)
        {
            throw Refuse(ImportRule.BadField, "a compression type is set without its incompatible feature bit.");
        }
    }

    /// <summary>Header extensions follow the header inside its cluster, each padded to 8 bytes, until a zero type.</summary>
    private void ReadExtensions(ReadOnlySpan<byte> head, int headerLength)
    {
        var limit = Math.Min((ulong)head.Length, _clusterSize);
        var position = (ulong)headerLength;
        for (var count = 0; ; count++)
        {
            if (position + 8 > limit || count > 1024)
            {
                throw Refuse(ImportRule.OutsideFile, $"its header extensions run past {limit} bytes without an end marker.");
            }
            var type = U32(head, (int)position);
            var length = U32(head, (int)position + 4);
            if (type == 0)
            {
                return;
            }
            var data = position + 8;
            if (!Within(data, length, limit))
            {
                throw Refuse(ImportRule.OutsideFile, $"header extension 0x{type:x8} ({length} bytes) runs past the header cluster.");
            }
            switch (type)
            {
                case EncryptionExtension:
                    throw Refuse(ImportRule.Encryption, "it carries a full disk encryption header.");
                case DataFileExtension:
                    throw Refuse(ImportRule.DataFile, $"it names an external data file {Quote(head.Slice((int)data, (int)length))}, which a hypervisor would read from its own host.");
                case BackingFormatExtension:
                    break; // harmless without a backing file, which was refused above
            }
            position = data + ((length + 7UL) & ~7UL);
        }
    }

    private void ScanL1(ReadOnlySpan<byte> head, ulong incompatible)
    {
        var l1Size = U32(head, 36);
        _l1Offset = U64(head, 40);
        _l1Bytes = l1Size * 8UL;
        _l2EntrySize = (incompatible & ExtendedL2) != 0 ? 16 : 8;
        var entriesPerL2 = _clusterSize / (ulong)_l2EntrySize;
        var coveredPerEntry = entriesPerL2 * _clusterSize;
        var needed = _virtualSize / coveredPerEntry + (_virtualSize % coveredPerEntry == 0 ? 0UL : 1UL);
        if (l1Size < needed)
        {
            throw Refuse(ImportRule.SizeMismatch, $"its L1 table of {l1Size} entries covers {l1Size * coveredPerEntry} bytes, less than the virtual size of {_virtualSize}.");
        }
        if (_l1Bytes > MaxL1Bytes)
        {
            throw Refuse(ImportRule.BadField, $"its L1 table of {_l1Bytes} bytes is larger than {MaxL1Bytes}.");
        }
        if (l1Size == 0)
        {
            return;
        }
        Aligned("L1 table", _l1Offset);
        Scan("L1 table", _l1Offset, _l1Bytes, 8, entry =>
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(entry);
            if ((value & L1ReservedMask) != 0)
            {
                throw Refuse(ImportRule.BadField, $"an L1 entry (0x{value:x16}) has reserved bits set.");
            }
            if ((value & L1OffsetMask) is var l2 and not 0)
            {
                Aligned("L2 table", l2);
                _pointed.Note(l2, _clusterSize);
                // Where the L2 table is still to come, its entries are checked too; one behind
                // the L1 table (an image resized by qemu) is bounded by this check alone.
                Capture.Scan(l2, _clusterSize, _l2EntrySize, NoteCluster);
            }
        });
    }

    /// <summary>An L2 entry: a data cluster's offset, or a compressed cluster's byte offset and sector count.</summary>
    private void NoteCluster(ReadOnlySpan<byte> entry)
    {
        var value = BinaryPrimitives.ReadUInt64BigEndian(entry);
        if ((value & (1UL << 62)) != 0)
        {
            var offsetBits = 62 - (_clusterBits - 8);
            var offset = value & ((1UL << offsetBits) - 1);
            _pointed.Note(offset, 1);
            return;
        }
        if ((value & L1OffsetMask) is var cluster and not 0)
        {
            Aligned("data cluster", cluster);
            _pointed.Note(cluster, _clusterSize);
        }
    }

    private void ScanRefcountTable(ReadOnlySpan<byte> head)
    {
        _refcountOffset = U64(head, 48);
        var clusters = U32(head, 56);
        _refcountBytes = clusters * _clusterSize;
        if (clusters == 0)
        {
            throw Refuse(ImportRule.BadField, "it has no refcount table.");
        }
        if (_refcountBytes > MaxRefcountTableBytes)
        {
            throw Refuse(ImportRule.BadField, $"its refcount table of {_refcountBytes} bytes is larger than {MaxRefcountTableBytes}.");
        }
        Aligned("refcount table", _refcountOffset);
        Scan("refcount table", _refcountOffset, _refcountBytes, 8, entry =>
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(entry);
            if ((value & RefcountReservedMask) != 0)
            {
                throw Refuse(ImportRule.BadField, $"a refcount table entry (0x{value:x16}) has reserved bits set.");
            }
            if (value != 0)
            {
                Aligned("refcount block", value);
                _pointed.Note(value, _clusterSize);
            }
        });
    }

    private void CheckSnapshots(ReadOnlySpan<byte> head)
    {
        var count = U32(head, 60);
        if (count > MaxSnapshots)
        {
            throw Refuse(ImportRule.BadField, $"it claims {count} internal snapshots (at most {MaxSnapshots}).");
        }
        if (count == 0)
        {
            return;
        }
        _snapshotsOffset = U64(head, 64);
        _snapshotsBytes = count * (ulong)MinSnapshotEntry;
        Aligned("snapshot table", _snapshotsOffset);
    }

    private void Aligned(string structure, ulong offset)
    {
        if (offset % _clusterSize != 0 || offset == 0)
        {
            throw Refuse(ImportRule.BadField, $"its {structure} offset {offset} is not a non-zero multiple of the cluster size {_clusterSize}.");
        }
    }

    private static uint U32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]);

    private static ulong U64(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64BigEndian(bytes[offset..]);
}

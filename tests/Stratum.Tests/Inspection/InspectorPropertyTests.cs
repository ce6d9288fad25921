using System.Buffers.Binary;
using CsCheck;
using Stratum.Import.Inspection;
using static Stratum.Tests.Infrastructure.DiskImages;

namespace Stratum.Tests.Inspection;

/// <summary>
/// Random mutations of valid qcow2, VMDK and VHD headers (and cuts of the file): the inspector
/// only ever refuses (code 3, naming a rule) or accepts; what it accepts has every table its
/// headers declare inside the file, by an independent reading of the mutated bytes; and every run
/// ends (the inspector makes one pass and its loops are bounded, so the sample completes).
/// </summary>
public sealed class InspectorPropertyTests
{
    private const int Iterations = 4000;

    /// <summary>Valid files, and how many of their first bytes hold headers worth mutating.</summary>
    private static readonly (string Kind, byte[] File, int Header)[] Seeds =
    [
        ("qcow2", Qcow2(8 * MiB, data: Raw(4096)), 512),
        ("qcow2", Inspect.Fixture("qemu/qemu-8m-data-v2.qcow2"), 512),
        ("qcow2", Qcow2(8 * MiB, clusterBits: 12, data: Raw(4096)), 4096 + 64),
        ("vmdk", Vmdk(8 * MiB), 1024),
        ("vmdk", Inspect.Fixture("qemu/qemu-8m-data-stream.vmdk"), 1024),
        ("vhd", VhdDynamic(8 * MiB, blockSize: 64 * 1024, data: Raw(4096)), 1536 + 512),
    ];

    [Fact]
    public void Mutated_headers_are_refused_by_a_rule_or_accepted_only_with_their_tables_inside_the_file()
    {
        var mutation = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 6];
        var gen = Gen.Select(Gen.Int[0, Seeds.Length - 1], mutation, Gen.Int[0, 3], Gen.Int[1, 70_000], Gen.Bool);
        gen.Sample((seed, changes, cut, chunk, fixChecksums) =>
        {
            var (kind, original, header) = Seeds[seed];
            var file = original.ToArray();
            foreach (var (at, value) in changes)
            {
                file[at % header] = value;
            }
            if (kind == "vhd" && fixChecksums)
            {
                FixVhd(file);
            }
            if (cut > 0)
            {
                file = file[..(file.Length - (cut * 4096) + 7)];
            }
            InspectedImage accepted;
            try
            {
                accepted = Inspect.File(file, chunk: chunk);
            }
            catch (StratumException refused) when (refused.Code == ErrorCode.InvalidArgument)
            {
                Inspect.RuleOf(refused.Message);
                return;
            }
            Assert.InRange(accepted.VirtualSize, 1, 4L << 40);
            switch (accepted.Format)
            {
                case ImageFormat.Qcow2: Qcow2TablesInside(file); break;
                case ImageFormat.Vmdk: VmdkTablesInside(file); break;
                case ImageFormat.Vhd: VhdTablesInside(file); break;
                default: Assert.Equal(0, file.Length % 512); break;
            }
        }, iter: Iterations);
    }

    [Fact]
    public void The_verdict_does_not_depend_on_how_the_stream_is_cut_into_chunks()
    {
        foreach (var (_, file, _) in Seeds)
        {
            var whole = Inspect.File(file, chunk: file.Length);
            Gen.Int[1, 100_000].Sample(chunk => Assert.Equal(whole, Inspect.File(file, chunk: chunk)), iter: 50);
        }
        var truncated = Inspect.Fixture("cases/qcow2-truncated-512B.qcow2");
        Assert.Equal(Inspect.Refusal(truncated, chunk: 512), Inspect.Refusal(truncated, chunk: 1));
    }

    private static void Qcow2TablesInside(byte[] file)
    {
        var cluster = 1UL << (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(20));
        var l1 = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(40));
        var l1Bytes = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(36)) * 8UL;
        var refcounts = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(48));
        Inside(file, l1, l1Bytes);
        Inside(file, refcounts, BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(56)) * cluster);
        for (var i = 0UL; i < l1Bytes; i += 8)
        {
            var l2 = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)(l1 + i))) & 0x00FF_FFFF_FFFF_FE00;
            if (l2 != 0)
            {
                Inside(file, l2, cluster);
            }
        }
    }

    private static void VmdkTablesInside(byte[] file)
    {
        var capacity = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(12));
        var grain = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(20));
        var entries = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(44));
        var directory = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(56)) * 512;
        var directoryBytes = (capacity + (entries * grain) - 1) / (entries * grain) * 4;
        Inside(file, 512, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(36)) * 512);
        Inside(file, directory, directoryBytes);
        for (var i = 0UL; i < directoryBytes; i += 4)
        {
            var table = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)(directory + i))) * 512UL;
            if (table != 0)
            {
                Inside(file, table, entries * 4UL);
            }
        }
    }

    private static void VhdTablesInside(byte[] file)
    {
        if (BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(60)) != 3)
        {
            return;
        }
        var header = (int)BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(16));
        var table = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(header + 16));
        var entries = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(header + 28));
        var block = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(header + 32));
        Inside(file, table, entries * 4UL);
        for (var i = 0UL; i < entries; i++)
        {
            var sector = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)(table + (i * 4))));
            if (sector != uint.MaxValue)
            {
                Inside(file, sector * 512UL, block);
            }
        }
    }

    private static void Inside(byte[] file, ulong offset, ulong length) =>
        Assert.True(offset <= (ulong)file.Length && length <= (ulong)file.Length - offset,
            $"an accepted file declares {length} bytes at {offset}, outside its {file.Length} bytes");

    /// <summary>Recomputes a dynamic VHD's checksums and footer copy, so mutations reach the rules behind them.</summary>
    private static void FixVhd(byte[] file)
    {
        var footer = file[..512];
        BE32(footer, 64, VhdChecksum(footer, 64));
        footer.CopyTo(file, 0);
        footer.CopyTo(file, file.Length - 512);
        var header = file[512..1536];
        BE32(header, 36, VhdChecksum(header, 36));
        header.CopyTo(file, 512);
    }
}

using Stratum.Import.Inspection;
using static Stratum.Tests.Infrastructure.DiskImages;
using static Stratum.Tests.Inspection.Qcow2RuleTests;

namespace Stratum.Tests.Inspection;

/// <summary>Each VMDK rule on a valid monolithicSparse file with one thing broken (the header is little-endian, from VMware's spec).</summary>
public sealed class VmdkRuleTests
{
    [Theory]
    [InlineData("monolithicSparse")]
    [InlineData("streamOptimized")]
    public void A_valid_sparse_vmdk_is_accepted_with_its_capacity(string createType) =>
        Assert.Equal(new InspectedImage(ImageFormat.Vmdk, 48 * MiB), Inspect.File(Vmdk(48 * MiB, createType)));

    [Theory]
    [InlineData("monolithicFlat")]
    [InlineData("twoGbMaxExtentSparse")]
    [InlineData("vmfs")]
    public void Another_create_type_is_refused(string createType)
    {
        var (rule, message) = Inspect.Refusal(Vmdk(8 * MiB, createType));

        Assert.Equal(ImportRule.VmdkDescriptor, rule);
        Assert.Contains(createType, message);
    }

    [Theory]
    [InlineData("RW {0} FLAT \"/etc/passwd\" 0")]
    [InlineData("RW {0} SPARSE \"/etc/passwd\"")]
    [InlineData("RW {0} SPARSE \"..\\\\windows\\\\system32\"")]
    [InlineData("RW {0} VMFS \"disk-flat.vmdk\"")]
    [InlineData("NOACCESS {0} SPARSE \"disk.vmdk\"")]
    public void An_extent_naming_another_file_is_refused(string extent) =>
        Assert.Equal(ImportRule.VmdkDescriptor, Inspect.Refusal(Vmdk(8 * MiB, extent: extent)).Rule);

    [Fact]
    public void A_second_extent_is_refused() =>
        Assert.Contains("2 extents", Inspect.Refusal(Vmdk(8 * MiB, extraDescriptor: "RW 16384 FLAT \"/etc/passwd\" 0")).Message);

    [Fact]
    public void A_parent_disk_is_refused_and_named()
    {
        var (rule, message) = Inspect.Refusal(Vmdk(8 * MiB, extraDescriptor: "parentFileNameHint=\"/var/lib/base.vmdk\""));

        Assert.Equal(ImportRule.VmdkDescriptor, rule);
        Assert.Contains("/var/lib/base.vmdk", message);
    }

    [Fact]
    public void A_delta_disk_by_parent_cid_is_refused() =>
        Assert.Contains("parentCID", Inspect.Refusal(With(Vmdk(8 * MiB), f => "parentCID=1234abcd"u8.CopyTo(f.AsSpan(f.AsSpan().IndexOf("parentCID=ffffffff"u8))))).Message);

    [Fact]
    public void A_descriptor_line_it_cannot_read_is_refused() =>
        Assert.Contains("cannot read", Inspect.Refusal(Vmdk(8 * MiB, extraDescriptor: "this is not a descriptor line")).Message);

    [Fact]
    public void An_extent_size_other_than_the_capacity_is_refused() =>
        Assert.Equal(ImportRule.SizeMismatch, Inspect.Refusal(Vmdk(8 * MiB, extent: "RW 999 SPARSE \"disk.vmdk\"")).Rule);

    [Fact]
    public void A_missing_embedded_descriptor_is_refused() =>
        Assert.Equal(ImportRule.VmdkDescriptor, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE64(f, 28, 0))).Rule);

    [Fact]
    public void A_descriptor_outside_the_file_is_refused()
    {
        var file = Vmdk(8 * MiB);
        LE64(file, 36, 2000);

        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void An_unknown_version_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE32(f, 4, 4))).Rule);

    [Theory]
    [InlineData(0UL)]
    [InlineData(3UL)]
    [InlineData(1UL << 22)]
    public void A_grain_size_that_is_not_a_power_of_two_up_to_1_GiB_is_refused(ulong sectors) =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE64(f, 20, sectors))).Rule);

    [Fact]
    public void Line_endings_changed_in_transfer_are_refused() =>
        Assert.Contains("as text", Inspect.Refusal(With(Vmdk(8 * MiB), f => f[75] = (byte)'\n')).Message);

    [Fact]
    public void A_capacity_that_overflows_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE64(f, 12, ulong.MaxValue / 256))).Rule);

    [Fact]
    public void An_unknown_compression_is_refused() =>
        Assert.Equal(ImportRule.UnknownFeature, Inspect.Refusal(With(Vmdk(8 * MiB), f => f[77] = 9)).Rule);

    [Fact]
    public void A_grain_directory_outside_the_file_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE64(f, 56, 100_000))).Rule);

    [Fact]
    public void A_grain_directory_entry_pointing_past_the_end_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE32(f, 512 * BitConverter.ToInt32(f, 56), 100_000))).Rule);

    [Fact]
    public void A_grain_table_entry_pointing_past_the_end_is_refused()
    {
        var file = Vmdk(8 * MiB);
        var table = BitConverter.ToInt32(file, 512 * BitConverter.ToInt32(file, 56));
        LE32(file, 512 * table, 100_000);

        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void A_directory_at_the_end_without_compressed_grains_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Vmdk(8 * MiB), f => LE64(f, 56, ulong.MaxValue))).Rule);

    [Fact]
    public void A_stream_whose_directory_is_at_the_end_needs_its_footer()
    {
        var file = With(Vmdk(8 * MiB, "streamOptimized"), f => { LE32(f, 8, 0x30003); LE64(f, 56, ulong.MaxValue); });

        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void A_stream_with_its_footer_and_end_of_stream_marker_is_accepted()
    {
        var file = With(Vmdk(8 * MiB, "streamOptimized"), f => { LE32(f, 8, 0x30003); f[77] = 1; });
        var directory = BitConverter.ToUInt64(file, 56);
        var footer = file[..512];
        LE64(file, 56, ulong.MaxValue);
        var marker = new byte[512];
        LE64(marker, 0, 1);
        LE32(marker, 12, 3);
        LE64(footer, 56, directory);
        var stream = file.Concat(marker).Concat(footer).Concat(new byte[512]).ToArray();

        Assert.Equal(ImageFormat.Vmdk, Inspect.File(stream).Format);
        stream[^1] = 1;
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(stream).Rule);
    }
}

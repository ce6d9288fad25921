using System.Text;
using Stratum.Import.Inspection;
using static Stratum.Tests.Infrastructure.DiskImages;
using static Stratum.Tests.Inspection.Qcow2RuleTests;

namespace Stratum.Tests.Inspection;

/// <summary>Each VHD and raw-disk rule on a valid file with one thing broken.</summary>
public sealed class VhdAndRawRuleTests
{
    [Fact]
    public void A_fixed_vhd_is_accepted_with_its_size() =>
        Assert.Equal(new InspectedImage(ImageFormat.Vhd, 3 * MiB), Inspect.File(VhdFixed(3 * MiB)));

    [Fact]
    public void A_dynamic_vhd_is_accepted_with_its_size() =>
        Assert.Equal(new InspectedImage(ImageFormat.Vhd, 30 * MiB), Inspect.File(VhdDynamic(30 * MiB, data: Raw(4096))));

    [Fact]
    public void A_differencing_vhd_is_refused()
    {
        var file = VhdDynamic(8 * MiB);
        var footer = VhdFooter(8 * MiB, diskType: 4, dataOffset: 512);
        footer.CopyTo(file, 0);
        footer.CopyTo(file, file.Length - 512);

        Assert.Equal(ImportRule.DifferencingDisk, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void A_fixed_footer_naming_a_differencing_disk_is_refused_too() =>
        Assert.Equal(ImportRule.DifferencingDisk, Inspect.Refusal(With(VhdFixed(MiB), f => VhdFooter(MiB, 4, ulong.MaxValue).CopyTo(f, MiB))).Rule);

    [Fact]
    public void A_footer_whose_checksum_does_not_match_is_refused() =>
        Assert.Equal(ImportRule.Checksum, Inspect.Refusal(With(VhdFixed(MiB), f => f[MiB + 48] ^= 1)).Rule);

    [Fact]
    public void A_dynamic_header_whose_checksum_does_not_match_is_refused() =>
        Assert.Equal(ImportRule.Checksum, Inspect.Refusal(With(VhdDynamic(8 * MiB), f => f[512 + 33] ^= 1)).Rule);

    [Fact]
    public void A_fixed_vhd_whose_data_is_not_its_size_is_refused()
    {
        var file = VhdFixed(MiB);
        var footer = VhdFooter(2 * MiB, 2, ulong.MaxValue);
        footer.CopyTo(file, MiB);

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.SizeMismatch, rule);
        Assert.Contains($"{2 * MiB} bytes", message);
    }

    [Fact]
    public void A_dynamic_vhd_cut_short_is_refused()
    {
        var file = VhdDynamic(8 * MiB, data: Raw(4096));

        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(file[..^512]).Rule);
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(file[..^4096].Concat(file[^512..]).ToArray()).Rule);
    }

    [Fact]
    public void A_dynamic_vhd_whose_footers_differ_is_refused()
    {
        var file = VhdDynamic(8 * MiB);
        VhdFooter(16 * MiB, 3, 512).CopyTo(file, file.Length - 512);

        Assert.Equal(ImportRule.SizeMismatch, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void A_block_table_entry_pointing_past_the_end_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(VhdDynamic(8 * MiB), f => BE32(f, 1536, 100_000))).Rule);

    [Fact]
    public void A_block_table_outside_the_file_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(Dynamic(h => BE64(h, 16, 1 << 30))).Rule);

    [Fact]
    public void Too_few_blocks_for_the_size_are_refused() =>
        Assert.Equal(ImportRule.SizeMismatch, Inspect.Refusal(Dynamic(h => BE32(h, 28, 1))).Rule);

    [Fact]
    public void A_block_size_that_is_not_a_power_of_two_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(Dynamic(h => BE32(h, 32, 3 << 20))).Rule);

    [Fact]
    public void An_unknown_disk_type_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(VhdFixed(MiB), f => VhdFooter(MiB, 5, ulong.MaxValue).CopyTo(f, MiB))).Rule);

    [Fact]
    public void A_dynamic_disk_without_its_footer_copy_at_the_start_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(VhdDynamic(8 * MiB), f => f.AsSpan(0, 512).Clear())).Rule);

    [Fact]
    public void A_vhd_above_4_TiB_is_refused() =>
        Assert.Equal(ImportRule.VirtualSize, Inspect.Refusal(VhdDynamic((4L << 40) + (1L << 31), blockSize: 1u << 31)).Rule);

    [Fact]
    public void Raw_whole_sectors_are_accepted_with_their_length() =>
        Assert.Equal(new InspectedImage(ImageFormat.Raw, 8192), Inspect.File(Raw(8192)));

    [Theory]
    [InlineData(513)]
    [InlineData(8191)]
    [InlineData(0)]
    public void Raw_data_that_is_not_whole_sectors_is_refused(int length)
    {
        var (rule, message) = Inspect.Refusal(Raw(8192)[..length]);

        Assert.Equal(ImportRule.NotADisk, rule);
        Assert.Contains($"{length} bytes", message);
    }

    [Fact]
    public void An_error_page_is_refused_as_text_even_in_whole_sectors()
    {
        var page = Encoding.ASCII.GetBytes("<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n".PadRight(1024, ' '));

        var (rule, message) = Inspect.Refusal(page);

        Assert.Equal(ImportRule.NotADisk, rule);
        // Its first 40 bytes as written: the line break escaped, not a '?' the caller has to guess at.
        Assert.Contains("('<!DOCTYPE html>\\n<html><body>404 Not Foun'…)", message);
    }

    [Fact]
    public void A_raw_disk_with_a_valid_gpt_is_accepted() => Assert.Equal(ImageFormat.Raw, Inspect.File(RawGpt()).Format);

    [Fact]
    public void A_gpt_header_whose_crc_does_not_match_is_refused() =>
        Assert.Equal(ImportRule.Checksum, Inspect.Refusal(With(RawGpt(), f => f[512 + 40] ^= 1)).Rule);

    [Fact]
    public void A_gpt_entry_array_whose_crc_does_not_match_is_refused() =>
        Assert.Equal(ImportRule.Checksum, Inspect.Refusal(With(RawGpt(), f => f[1024 + 60] ^= 1)).Rule);

    [Fact]
    public void A_gpt_disk_cut_short_is_refused()
    {
        var (rule, message) = Inspect.Refusal(RawGpt(4096)[..(2048 * 512)]);

        Assert.Equal(ImportRule.SizeMismatch, rule);
        Assert.Contains("4096 sectors", message);
    }

    [Fact]
    public void A_gpt_entry_array_outside_the_data_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(RawGpt(), f => { LE64(f, 512 + 72, 5000); FixGptHeaderCrc(f); })).Rule);

    [Fact]
    public void A_fixed_vhd_holding_a_gpt_disk_is_checked_against_its_data()
    {
        var disk = RawGpt(4096);
        var vhd = disk[..(2048 * 512)].Concat(VhdFooter(2048 * 512, 2, ulong.MaxValue)).ToArray();

        Assert.Equal(ImageFormat.Vhd, Inspect.File(disk[..(4096 * 512)].Concat(VhdFooter(4096 * 512, 2, ulong.MaxValue)).ToArray()).Format);
        Assert.Equal(ImportRule.SizeMismatch, Inspect.Refusal(vhd).Rule);
    }

    /// <summary>A dynamic VHD whose dynamic header a test changes; its checksum is fixed afterwards.</summary>
    private static byte[] Dynamic(Action<byte[]> change)
    {
        var file = VhdDynamic(8 * MiB);
        var header = file[512..1536];
        change(header);
        BE32(header, 36, VhdChecksum(header, 36));
        header.CopyTo(file, 512);
        return file;
    }
}

using System.Text;
using Stratum.Import.Inspection;
using static Stratum.Tests.Infrastructure.DiskImages;

namespace Stratum.Tests.Inspection;

/// <summary>Each qcow2 rule on a valid file with one field broken (offsets from the qcow2 specification).</summary>
public sealed class Qcow2RuleTests
{
    private const int Cluster = 65536;

    [Theory]
    [InlineData(2, 16)]
    [InlineData(3, 16)]
    [InlineData(3, 12)]
    [InlineData(3, 21)]
    public void A_valid_qcow2_is_accepted_with_its_virtual_size(int version, int clusterBits)
    {
        Assert.Equal(new InspectedImage(ImageFormat.Qcow2, 40 * MiB), Inspect.File(Qcow2(40 * MiB, version, clusterBits, data: Raw(4096))));
    }

    [Fact]
    public void A_dirty_image_is_still_accepted() => Assert.Equal(ImageFormat.Qcow2, Inspect.File(With(Qcow2(MiB * 8), f => BE64(f, 72, 1))).Format);

    [Fact]
    public void A_backing_file_is_refused_and_named()
    {
        var file = Qcow2(8 * MiB);
        Encoding.ASCII.GetBytes("/etc/shadow").CopyTo(file, 512);
        BE64(file, 8, 512);
        BE32(file, 16, 11);

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.BackingFile, rule);
        Assert.Contains("'/etc/shadow'", message);
    }

    [Fact]
    public void A_backing_file_is_refused_from_the_head_alone_before_the_rest_streams()
    {
        var file = With(Qcow2(8 * MiB, data: Raw(Cluster)), f => BE64(f, 8, 512));
        var inspector = new FormatInspector();

        var error = Assert.Throws<StratumException>(() => inspector.Write(file.AsSpan(0, StreamCapture.HeadSize)));

        Assert.Equal(ImportRule.BackingFile, Inspect.RuleOf(error.Message));
    }

    [Fact]
    public void The_external_data_file_bit_is_refused() =>
        Assert.Equal(ImportRule.DataFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 72, 4))).Rule);

    [Fact]
    public void An_external_data_file_extension_is_refused_and_named()
    {
        var file = Qcow2(8 * MiB);
        BE32(file, 104, 0x44415441);
        BE32(file, 108, 9);
        Encoding.ASCII.GetBytes("/dev/sda1").CopyTo(file, 112);

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.DataFile, rule);
        Assert.Contains("'/dev/sda1'", message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Encryption_is_refused(uint cryptMethod) =>
        Assert.Equal(ImportRule.Encryption, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 32, cryptMethod))).Rule);

    [Fact]
    public void An_encryption_header_extension_is_refused() =>
        Assert.Equal(ImportRule.Encryption, Inspect.Refusal(With(Qcow2(8 * MiB), f => { BE32(f, 104, 0x0537BE77); BE32(f, 108, 16); })).Rule);

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(63)]
    public void An_unknown_incompatible_feature_bit_is_refused_and_named(int bit)
    {
        var (rule, message) = Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 72, 1UL << bit)));

        Assert.Equal(ImportRule.UnknownFeature, rule);
        Assert.Contains($"bit(s) {bit}", message);
    }

    [Fact]
    public void An_image_marked_corrupt_is_refused() =>
        Assert.Contains("corrupt", Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 72, 2))).Message);

    [Theory]
    [InlineData(8)]
    [InlineData(22)]
    public void Cluster_bits_out_of_range_are_refused(uint bits) =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 20, bits))).Rule);

    [Fact]
    public void The_original_qcow_is_refused_by_name() =>
        Assert.Equal(ImportRule.UnsupportedFormat, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 4, 1))).Rule);

    [Fact]
    public void An_unknown_version_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 4, 4))).Rule);

    [Theory]
    [InlineData(100u)]
    [InlineData(110u)]
    [InlineData(70000u)]
    public void A_version_3_header_length_out_of_range_is_refused(uint length) =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 100, length))).Rule);

    [Fact]
    public void A_compression_type_it_does_not_know_is_refused() =>
        Assert.Equal(ImportRule.UnknownFeature, Inspect.Refusal(With(Qcow2(8 * MiB), f => { BE32(f, 100, 112); BE64(f, 72, 8); f[104] = 7; })).Rule);

    [Fact]
    public void A_header_extension_running_past_the_cluster_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => { BE32(f, 104, 0x12345678); BE32(f, 108, Cluster); })).Rule);

    [Fact]
    public void An_L1_table_outside_the_file_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 40, 100UL * Cluster))).Rule);

    [Fact]
    public void An_L1_table_too_small_for_the_virtual_size_is_refused() =>
        Assert.Equal(ImportRule.SizeMismatch, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 24, 600 * MiB))).Rule);

    [Fact]
    public void A_misaligned_L1_table_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 40, (3UL * Cluster) + 512))).Rule);

    [Fact]
    public void An_L1_entry_pointing_past_the_end_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 3 * Cluster, 50UL * Cluster))).Rule);

    [Fact]
    public void An_L1_entry_with_reserved_bits_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB, data: Raw(512)), f => BE64(f, 3 * Cluster, (4UL * Cluster) | 0x100))).Rule);

    [Fact]
    public void An_L2_entry_pointing_past_the_end_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB, data: Raw(512)), f => BE64(f, 4 * Cluster, 60UL * Cluster))).Rule);

    [Fact]
    public void A_refcount_table_outside_the_file_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 48, 7UL * Cluster))).Rule);

    [Fact]
    public void A_refcount_entry_pointing_past_the_end_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, Cluster, 9UL * Cluster))).Rule);

    [Fact]
    public void No_refcount_table_is_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 56, 0))).Rule);

    [Fact]
    public void Too_many_snapshots_are_refused() =>
        Assert.Equal(ImportRule.BadField, Inspect.Refusal(With(Qcow2(8 * MiB), f => BE32(f, 60, 70000))).Rule);

    [Fact]
    public void A_snapshot_table_outside_the_file_is_refused() =>
        Assert.Equal(ImportRule.OutsideFile, Inspect.Refusal(With(Qcow2(8 * MiB), f => { BE32(f, 60, 1); BE64(f, 64, 9UL * Cluster); })).Rule);

    [Theory]
    [InlineData(0x8000_0000_0000_0000UL, ImportRule.BadField)]
    [InlineData(0UL, ImportRule.VirtualSize)]
    [InlineData((4UL << 40) + 512, ImportRule.VirtualSize)]
    public void A_virtual_size_that_overflows_is_zero_or_is_above_4_TiB_is_refused(ulong size, string rule)
    {
        // The L1 table is made big enough for the size, so only the size rule can refuse it.
        var file = With(Qcow2(8 * MiB), f => { BE64(f, 24, size); BE32(f, 36, (uint)Math.Min(8200, (size >> 29) + 1)); });
        Array.Resize(ref file, file.Length + (8200 * 8));
        Assert.Equal(rule, Inspect.Refusal(file).Rule);
    }

    [Fact]
    public void Offsets_that_would_overflow_when_added_are_refused_not_wrapped()
    {
        var (rule, _) = Inspect.Refusal(With(Qcow2(8 * MiB), f => BE64(f, 40, ulong.MaxValue - Cluster + 1)));

        Assert.Contains(rule, new[] { ImportRule.OutsideFile, ImportRule.BadField });
    }

    internal static byte[] With(byte[] file, Action<byte[]> change)
    {
        change(file);
        return file;
    }
}

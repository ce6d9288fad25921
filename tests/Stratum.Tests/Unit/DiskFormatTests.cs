using Stratum.Import;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

public sealed class DiskFormatTests
{
    private static (ImageFormat, long) Detect(byte[] file) =>
        DiskFormat.Detect(file.AsSpan(0, Math.Min(file.Length, DiskFormat.HeaderBytes)), file.AsSpan(Math.Max(0, file.Length - 512)), file.Length);

    [Fact]
    public void Reads_the_virtual_size_of_qcow2() => Assert.Equal((ImageFormat.Qcow2, 10 * DiskImages.MiB), Detect(DiskImages.Qcow2(10 * DiskImages.MiB)));

    [Fact]
    public void Reads_the_capacity_of_vmdk_in_sectors() => Assert.Equal((ImageFormat.Vmdk, 20 * DiskImages.MiB), Detect(DiskImages.Vmdk(20 * DiskImages.MiB)));

    [Fact]
    public void Reads_the_current_size_from_a_vhd_footer() => Assert.Equal((ImageFormat.Vhd, 30 * DiskImages.MiB), Detect(DiskImages.VhdFixed(30 * DiskImages.MiB)));

    [Fact]
    public void Anything_else_is_raw_with_its_own_length() => Assert.Equal((ImageFormat.Raw, 5000L), Detect(DiskImages.Raw(5000)));

    [Fact]
    public void Refuses_qcow2_of_an_unknown_version() =>
        Assert.Contains("version 7", Assert.Throws<StratumException>(() => Detect(DiskImages.Qcow2(DiskImages.MiB, version: 7))).Message);

    [Fact]
    public void Refuses_a_truncated_qcow2_header() =>
        Assert.Contains("truncated", Assert.Throws<StratumException>(() => Detect(DiskImages.Qcow2(DiskImages.MiB)[..16])).Message);

    [Fact]
    public void Refuses_compressed_streams_and_archives()
    {
        Assert.Contains("gzip", Assert.Throws<StratumException>(() => DiskFormat.RefusePacked(DiskImages.Gzip())).Message);
        var tar = new byte[1024];
        "ustar"u8.CopyTo(tar.AsSpan(257));
        Assert.Contains("tar archive", Assert.Throws<StratumException>(() => DiskFormat.RefusePacked(tar)).Message);
        DiskFormat.RefusePacked(DiskImages.Qcow2(DiskImages.MiB));
    }
}

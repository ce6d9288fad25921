using Stratum.Import;

namespace Stratum.Tests.Unit;

/// <summary>The parser agrees with qemu-img on files qemu-img made (see Fixtures/README.md).</summary>
public sealed class QemuImageTests
{
    [Theory]
    [InlineData("qemu-64m.qcow2", ImageFormat.Qcow2, 67108864)]
    [InlineData("qemu-48m.vmdk", ImageFormat.Vmdk, 50331648)]
    [InlineData("qemu-32m-dynamic.vhd", ImageFormat.Vhd, 33562624)]
    public void Reads_the_virtual_size_qemu_img_reports(string file, ImageFormat format, long virtualSize)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", file));
        DiskFormat.RefusePacked(bytes);
        var detected = DiskFormat.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, DiskFormat.HeaderBytes)), bytes.AsSpan(bytes.Length - DiskFormat.FooterBytes), bytes.Length);
        Assert.Equal((format, virtualSize), detected);
    }
}

using Stratum.Import.Inspection;

namespace Stratum.Tests.Inspection;

/// <summary>
/// The inspector against files made by qemu-img (Fixtures/qemu) and against the cases handed to
/// us from public advisories with their right answers (Fixtures/cases, from shared/import-cases).
/// </summary>
public sealed class FixtureTests
{
    [Theory]
    [InlineData("qemu/qemu-64m.qcow2", ImageFormat.Qcow2, 67108864)]
    [InlineData("qemu/qemu-8m-data.qcow2", ImageFormat.Qcow2, 8388608)]
    [InlineData("qemu/qemu-8m-data-v2.qcow2", ImageFormat.Qcow2, 8388608)]
    [InlineData("qemu/qemu-16m-4k-clusters.qcow2", ImageFormat.Qcow2, 16777216)]
    [InlineData("qemu/qemu-64m-extended-l2.qcow2", ImageFormat.Qcow2, 67108864)]
    [InlineData("qemu/qemu-64m-zstd.qcow2", ImageFormat.Qcow2, 67108864)]
    [InlineData("qemu/qemu-48m.vmdk", ImageFormat.Vmdk, 50331648)]
    [InlineData("qemu/qemu-8m-data.vmdk", ImageFormat.Vmdk, 8388608)]
    [InlineData("qemu/qemu-8m-data-stream.vmdk", ImageFormat.Vmdk, 8388608)]
    [InlineData("qemu/qemu-32m-dynamic.vhd", ImageFormat.Vhd, 33562624)]
    [InlineData("qemu/qemu-8m-data-dynamic.vhd", ImageFormat.Vhd, 8390656)]
    [InlineData("qemu/qemu-8m-data-fixed.vhd", ImageFormat.Vhd, 8390656)]
    [InlineData("cases/ok-streamOptimized.vmdk", ImageFormat.Vmdk, 67108864)]
    public void Accepts_what_qemu_img_makes_with_the_size_it_reports(string file, ImageFormat format, long virtualSize)
    {
        // qemu-img info reports a fixed VHD's virtual size as its file length; the footer's current size is what the disk holds.
        Assert.Equal(new InspectedImage(format, virtualSize), Inspect.File(Inspect.Fixture(file)));
    }

    [Theory]
    [InlineData("qemu/qemu-16m-data-file.qcow2", ImportRule.DataFile, "external data file")]
    [InlineData("qemu/qemu-16m-luks-encrypted.head.qcow2", ImportRule.Encryption, "encrypted")]
    [InlineData("qemu/qemu-8m-child-of-base.vmdk", ImportRule.VmdkDescriptor, "parent disk '/tmp/img/base.vmdk'")]
    [InlineData("qemu/qemu-8m.head.qed", ImportRule.UnsupportedFormat, "QED")]
    [InlineData("qemu/qemu-4m.head.luks", ImportRule.Encryption, "LUKS")]
    [InlineData("qemu/qemu-8m.head.vhdx", ImportRule.UnsupportedFormat, "VHDX")]
    [InlineData("cases/qcow2-backing-etc-passwd.qcow2", ImportRule.BackingFile, "backing file '/etc/passwd'")]
    [InlineData("cases/qcow2-unknown-incompat-bit.qcow2", ImportRule.UnknownFeature, "bit(s) 20")]
    [InlineData("cases/qcow2-truncated-512B.qcow2", ImportRule.OutsideFile, "outside the file of 512 bytes")]
    [InlineData("cases/vmdk-descriptor-flat-etc-passwd.vmdk", ImportRule.VmdkDescriptor, "'/etc/passwd'")]
    [InlineData("cases/vdi.vdi", ImportRule.UnsupportedFormat, "VDI")]
    [InlineData("cases/packed-ok.qcow2.lzma", ImportRule.Packed, "lzma compressed stream")]
    [InlineData("cases/empty.img", ImportRule.NotADisk, "0 bytes")]
    public void Refuses_each_handed_and_qemu_made_unsafe_file_by_its_rule(string file, string rule, string says)
    {
        var (actual, message) = Inspect.Refusal(Inspect.Fixture(file));

        Assert.Equal(rule, actual);
        Assert.Contains(says, message);
    }

    [Fact]
    public void A_qemu_made_qcow2_cut_short_is_refused_because_its_tables_point_past_the_end()
    {
        var file = Inspect.Fixture("qemu/qemu-8m-data.qcow2");

        var (rule, message) = Inspect.Refusal(file[..(file.Length - 65536)]);

        Assert.Equal(ImportRule.OutsideFile, rule);
        Assert.Contains("truncated", message);
    }

    [Theory]
    [InlineData("qemu/qemu-8m-data-dynamic.vhd", 1024, ImportRule.OutsideFile)]
    [InlineData("qemu/qemu-8m-data.vmdk", 1024, ImportRule.OutsideFile)]
    [InlineData("qemu/qemu-8m-data-stream.vmdk", 4096, ImportRule.OutsideFile)]
    [InlineData("qemu/qemu-8m-data-v2.qcow2", 4096, ImportRule.OutsideFile)]
    // A fixed VHD cut by whole sectors loses its footer and is indistinguishable from raw data;
    // cut anywhere else it is not whole sectors.
    [InlineData("qemu/qemu-8m-data-fixed.vhd", 100, ImportRule.NotADisk)]
    public void Other_qemu_made_files_cut_short_are_refused_too(string fixture, int cut, string rule)
    {
        var file = Inspect.Fixture(fixture);

        Assert.Equal(rule, Inspect.Refusal(file[..(file.Length - cut)]).Rule);
    }
}

using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Stratum.Import.Inspection;
using static Stratum.Tests.Infrastructure.DiskImages;
using static Stratum.Tests.Inspection.Qcow2RuleTests;

namespace Stratum.Tests.Inspection;

/// <summary>
/// Formats recognised and refused by name, compressed streams and archives of every common kind
/// (real files where .NET writes them, else their specified magic), polyglots, and a format given
/// on create that the bytes contradict.
/// </summary>
public sealed class RecognitionTests
{
    [Theory]
    [InlineData(TarEntryFormat.V7)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public void Tar_in_every_format_is_refused_as_an_archive(TarEntryFormat format)
    {
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, format))
        {
            var entry = format switch
            {
                TarEntryFormat.V7 => (TarEntry)new V7TarEntry(TarEntryType.V7RegularFile, "disk.qcow2"),
                TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.RegularFile, "disk.qcow2"),
                TarEntryFormat.Pax => new PaxTarEntry(TarEntryType.RegularFile, "disk.qcow2"),
                _ => new GnuTarEntry(TarEntryType.RegularFile, "disk.qcow2"),
            };
            entry.DataStream = new MemoryStream(Qcow2(8 * MiB));
            tar.WriteEntry(entry);
        }

        var (rule, message) = Inspect.Refusal(output.ToArray());

        Assert.Equal(ImportRule.Packed, rule);
        Assert.Contains("tar archive", message);
    }

    [Fact]
    public void Gzip_and_zip_made_by_dotnet_are_refused()
    {
        Assert.Contains("gzip compressed stream", Inspect.Refusal(Gzip()).Message);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("disk.raw").Open();
            entry.Write(Raw(4096));
        }
        Assert.Contains("zip archive", Inspect.Refusal(output.ToArray()).Message);
    }

    public static TheoryData<string, byte[]> Magic => new()
    {
        { "bzip2", "BZh91AY&SY"u8.ToArray() },
        { "xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x04] },
        { "lzma", [0x5D, 0x00, 0x00, 0x10, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "lzma", [0x5D, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00] },
        { "zstd", [0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x58] },
        { "lz4", [0x04, 0x22, 0x4D, 0x18, 0x64, 0x40] },
        { "lz4 (legacy)", [0x02, 0x21, 0x4C, 0x18] },
        { "lzip", "LZIP\u0001"u8.ToArray() },
        { "lzop", [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A] },
        { "compress (.Z)", [0x1F, 0x9D, 0x90] },
        { "squashfs", "hsqs"u8.ToArray() },
        { "7z", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00, 0x04] },
        { "rar", "Rar!\u001a\u0007\u0000"u8.ToArray() },
        { "rar", "Rar!\u001a\u0007\u0001\u0000"u8.ToArray() },
        { "cpio", "070701"u8.ToArray() },
        { "cpio", "070707"u8.ToArray() },
        { "cpio", "070702"u8.ToArray() },
        { "cpio", [0xC7, 0x71, 0x00, 0x00] },
        { "cpio", [0x71, 0xC7, 0x00, 0x00] },
        { "ar", "!<arch>\ndebian-binary   "u8.ToArray() },
        { "cab", "MSCF\0\0\0\0"u8.ToArray() },
        { "xar", "xar!\0\u001c"u8.ToArray() },
        { "wim", "MSWIM\0\0\0"u8.ToArray() },
        { "rpm", [0xED, 0xAB, 0xEE, 0xDB, 0x03, 0x00] },
        { "zip", [0x50, 0x4B, 0x05, 0x06] },
    };

    [Theory]
    [MemberData(nameof(Magic))]
    public void Every_common_compressed_or_archive_form_is_refused_by_name(string name, byte[] magic)
    {
        var file = new byte[4096];
        magic.CopyTo(file, 0);

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.Packed, rule);
        Assert.Contains($"a {name} ", message);
    }

    public static TheoryData<string, byte[], string> RefusedDisks()
    {
        var data = new TheoryData<string, byte[], string>();
        void Add(string name, int offset, byte[] magic, string rule)
        {
            var file = new byte[64 * 1024];
            magic.CopyTo(file, offset);
            data.Add(name, file, rule);
        }
        Add("VHDX", 0, "vhdxfile"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("VDI", 64, [0x7F, 0x10, 0xDA, 0xBE], ImportRule.UnsupportedFormat);
        Add("QED", 0, "QED\0"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("LUKS", 0, [0x4C, 0x55, 0x4B, 0x53, 0xBA, 0xBE, 0x00, 0x01], ImportRule.Encryption);
        Add("COWD", 0, "COWD"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("Parallels", 0, "WithoutFreeSpace"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("Bochs", 0, "Bochs Virtual HD Image"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("cloop", 0, "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n"u8.ToArray(), ImportRule.Packed);
        Add("ISO 9660", 0x8001, "CD001"u8.ToArray(), ImportRule.UnsupportedFormat);
        Add("ISO 9660", 0x8801, "NSR02"u8.ToArray(), ImportRule.UnsupportedFormat);
        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedDisks))]
    public void Disk_formats_that_are_not_accepted_are_refused_by_name(string name, byte[] file, string rule)
    {
        var (actual, message) = Inspect.Refusal(file);

        Assert.Equal(rule, actual);
        Assert.Contains(name.Split(' ')[0], message);
    }

    [Fact]
    public void A_hybrid_iso_with_a_partition_table_is_refused_as_an_iso()
    {
        var file = RawGpt(128);
        "CD001"u8.CopyTo(file.AsSpan(0x8001));

        Assert.Contains("ISO 9660", Inspect.Refusal(file).Message);
    }

    [Fact]
    public void An_apple_disk_image_is_refused_by_its_trailer()
    {
        var file = Raw(8192);
        "koly"u8.CopyTo(file.AsSpan(file.Length - 512));

        Assert.Contains("DMG", Inspect.Refusal(file).Message);
    }

    [Fact]
    public void A_vmdk_text_descriptor_is_refused_naming_its_extents()
    {
        var text = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\nRW 2048 VMFS \"/dev/sdb\"\n";

        var (rule, message) = Inspect.Refusal(Encoding.ASCII.GetBytes(text.PadRight(1024, '\n')));

        Assert.Equal(ImportRule.VmdkDescriptor, rule);
        Assert.Contains("'/dev/sdb'", message);
    }

    [Fact]
    public void A_qcow2_with_a_vhd_footer_appended_is_a_polyglot()
    {
        var file = Qcow2(8 * MiB).Concat(VhdFooter(8 * MiB, 2, ulong.MaxValue)).ToArray();

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.Polyglot, rule);
        Assert.Contains("qcow2 and VHD", message);
    }

    [Fact]
    public void A_fixed_vhd_whose_data_starts_with_a_qcow2_header_is_a_polyglot()
    {
        var data = Qcow2(MiB / 8);
        Array.Resize(ref data, (int)MiB);

        Assert.Equal(ImportRule.Polyglot, Inspect.Refusal(data.Concat(VhdFooter(MiB, 2, ulong.MaxValue)).ToArray()).Rule);
    }

    [Fact]
    public void A_qcow2_that_is_also_a_partitioned_raw_disk_is_a_polyglot() =>
        Assert.Equal(ImportRule.Polyglot, Inspect.Refusal(With(Qcow2(8 * MiB), f => { f[510] = 0x55; f[511] = 0xAA; })).Rule);

    [Theory]
    [InlineData("qcow2", 0x8001, "CD001")]
    [InlineData("qcow2", 257, "ustar")]
    [InlineData("qcow2", 64, "\u007f\u0010\u00da\u00be")]
    [InlineData("VMDK", 0x8001, "CD001")]
    [InlineData("VMDK", 257, "ustar")]
    public void A_sparse_format_hiding_another_signature_in_its_header_is_a_polyglot(string format, int offset, string magic)
    {
        var file = format == "qcow2" ? Qcow2(8 * MiB) : Vmdk(8 * MiB);
        magic.Select(c => (byte)c).ToArray().CopyTo(file, offset);

        var (rule, message) = Inspect.Refusal(file);

        Assert.Equal(ImportRule.Polyglot, rule);
        Assert.Contains(format, message);
    }

    [Fact]
    public void A_partitioned_disk_inside_a_fixed_vhd_is_no_polyglot() =>
        Assert.Equal(ImageFormat.Vhd, Inspect.File(RawGpt(256).Concat(VhdFooter(256 * 512, 2, ulong.MaxValue)).ToArray()).Format);

    [Theory]
    [InlineData(ImageFormat.Qcow2, ImageFormat.Qcow2, null)]
    [InlineData(ImageFormat.Vmdk, ImageFormat.Vmdk, null)]
    [InlineData(ImageFormat.Vhd, ImageFormat.Vhd, null)]
    [InlineData(ImageFormat.Raw, ImageFormat.Raw, null)]
    [InlineData(ImageFormat.Qcow2, ImageFormat.Raw, "does not start with a QCOW2 header")]
    [InlineData(ImageFormat.Vmdk, ImageFormat.Qcow2, "the data is QCOW2")]
    [InlineData(ImageFormat.Vhd, ImageFormat.Raw, "the data is RAW")]
    [InlineData(ImageFormat.Raw, ImageFormat.Vhd, "the data is VHD")]
    public void A_format_given_on_create_must_be_the_format_of_the_bytes(ImageFormat given, ImageFormat actual, string? says)
    {
        var file = actual switch
        {
            ImageFormat.Qcow2 => Qcow2(8 * MiB),
            ImageFormat.Vmdk => Vmdk(8 * MiB),
            ImageFormat.Vhd => VhdFixed(MiB),
            _ => Raw(8192),
        };
        if (says is null)
        {
            Assert.Equal(actual, Inspect.File(file, given).Format);
            return;
        }
        var (rule, message) = Inspect.Refusal(file, given);
        Assert.Equal(ImportRule.FormatMismatch, rule);
        Assert.Contains(says, message);
    }
}

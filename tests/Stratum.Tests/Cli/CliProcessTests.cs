using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>The built tool as a real process (`dotnet stratum.dll`) against the test gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class CliProcessTests(GatewayFixture fixture)
{
    private const long MiB = 1 << 20;
    private readonly CliRunner _cli = new(fixture.Stratum.BaseAddress);
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task A_64_MiB_upload_is_READY_with_the_files_sha256_and_a_download_verifies()
    {
        var folderId = await _admin.CreateFolderAsync();
        var (file, checksum) = await RawFileAsync("big.raw", 64 * MiB);

        var created = await _cli.RunProcessAsync("image", "create", "--name", "big", "--file", file, "--folder-id", folderId, "--format", "json");

        Assert.True(created.ExitCode == 0, created.Error);
        var image = created.Json;
        Assert.Equal("READY", image.Str("status"));
        Assert.Equal(checksum, image.Str("checksum"));
        Assert.Equal((64 * MiB).ToString(), image.Str("storageSize"));

        var target = Path.Combine(_cli.ConfigDirectory, "back.raw");
        var download = await _cli.RunProcessAsync("image", "download", image.Str("id"), "--to", target, "--format", "json");
        Assert.True(download.ExitCode == 0, download.Error);
        Assert.True(download.Json["verified"]!.GetValue<bool>());
        Assert.Equal(checksum, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(target))));
        Assert.False(File.Exists(target + ".partial"));

        // A download cut short continues from its partial file; one whose partial bytes are wrong is refused, not kept.
        var bytes = await File.ReadAllBytesAsync(target);
        var again = Path.Combine(_cli.ConfigDirectory, "again.raw");
        await File.WriteAllBytesAsync(again + ".partial", bytes[..(int)(24 * MiB)]);
        var resumed = await _cli.RunProcessAsync("image", "download", image.Str("id"), "--to", again, "--format", "json");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal((24 * MiB).ToString(), resumed.Json.Str("bytesResumed"));
        Assert.Equal((40 * MiB).ToString(), resumed.Json.Str("bytesFetched"));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(again));
        var corrupt = Path.Combine(_cli.ConfigDirectory, "corrupt.raw");
        var wrong = bytes[..(int)MiB];
        wrong[100] ^= 0xFF;
        await File.WriteAllBytesAsync(corrupt + ".partial", wrong);
        var refused = await _cli.RunProcessAsync("image", "download", image.Str("id"), "--to", corrupt);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("checksum", refused.Error);
        Assert.False(File.Exists(corrupt));
        Assert.False(File.Exists(corrupt + ".partial"));
        Assert.Equal(2, (await _cli.RunProcessAsync("image", "download", image.Str("id"), "--to", target)).ExitCode);
    }

    [Fact]
    public async Task An_upload_interrupted_halfway_resumes_without_resending_what_was_sent()
    {
        var folderId = await _admin.CreateFolderAsync();
        var (file, checksum) = await RawFileAsync("interrupted.raw", 64 * MiB);
        using (var first = _cli.Start("image", "create", "--name", "resumed", "--file", file, "--folder-id", folderId, "--limit-rate", "16M", "--format", "json"))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (JournalBlocks() < 4)
            {
                Assert.True(DateTime.UtcNow < deadline && !first.HasExited, "the first upload did not get halfway");
                await Task.Delay(20);
            }
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var sentBefore = JournalBlocks() * 8 * MiB;
        Assert.InRange(sentBefore, 32 * MiB, 56 * MiB);

        var second = await _cli.RunProcessAsync("image", "create", "--name", "resumed", "--file", file, "--folder-id", folderId, "--format", "json");

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("Resuming upload", second.Error);
        var report = UploadReport().Match(second.Error);
        Assert.True(report.Success, second.Error);
        Assert.Equal(64 * MiB - sentBefore, (long)(double.Parse(report.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * MiB));
        Assert.Equal(sentBefore, (long)(double.Parse(report.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) * MiB));
        Assert.Equal(checksum, second.Json.Str("checksum"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_cli.ConfigDirectory, "uploads"), "*.json"));
        Assert.Single(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task Json_output_parses_exit_codes_are_0_1_2_and_bulk_create_reports_every_instance()
    {
        var folderId = await _admin.CreateFolderAsync();
        var (file, _) = await RawFileAsync("small.raw", MiB);
        var image = await _cli.RunProcessAsync("image", "create", "--family", "proc", "--file", file, "--folder-id", folderId, "--format", "json");
        Assert.Equal(0, image.ExitCode);

        var list = await _cli.RunProcessAsync("image", "list", "--folder-id", folderId, "--format", "json");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(image.Json.Str("id"), list.Json["images"]!.AsArray().Single()!.Str("id"));
        var missing = await _cli.RunProcessAsync("image", "get", "imgaaaaaaaaaaaaaaaaa");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("code 5", missing.Error);
        Assert.Equal(2, (await _cli.RunProcessAsync("image", "list", "--folder-id", folderId, "--bogus")).ExitCode);
        Assert.Equal(2, (await _cli.RunProcessAsync("disk", "create", "--size", "ten", "--source-family", "proc", "--folder-id", folderId)).ExitCode);

        var bulk = await _cli.RunProcessAsync("instance", "bulk-create", "--count", "20", "--name-prefix", "fleet", "--source-family", "proc",
            "--boot-disk-size", "512M", "--folder-id", folderId, "--format", "json");

        Assert.True(bulk.ExitCode == 0, bulk.Error);
        var names = bulk.Json["instances"]!.AsArray().Select(i => i!.Str("name")).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"fleet-{i}").ToHashSet(), names);
        Assert.Empty(bulk.Json["failures"]!.AsArray());
    }

    private int JournalBlocks()
    {
        var directory = Path.Combine(_cli.ConfigDirectory, "uploads");
        foreach (var journal in Directory.Exists(directory) ? Directory.GetFiles(directory, "*.json") : [])
        {
            try
            {
                return JsonNode.Parse(File.ReadAllText(journal))!["Done"]!.AsArray().Count;
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
            {
                // Being replaced this instant: look again.
            }
        }
        return 0;
    }

    private async Task<(string Path, string Checksum)> RawFileAsync(string name, long size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xEB;
        var path = Path.Combine(_cli.ConfigDirectory, name);
        await File.WriteAllBytesAsync(path, bytes);
        return (path, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [GeneratedRegex(@"\(([0-9.]+) MiB sent now, ([0-9.]+) MiB sent before\)")]
    private static partial Regex UploadReport();
}

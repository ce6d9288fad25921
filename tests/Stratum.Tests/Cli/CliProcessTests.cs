using System.Security.Cryptography;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>The built tool as a real process (`dotnet stratum.dll`) against the test gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CliProcessTests(GatewayFixture fixture) : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly CliRunner _cli = new(fixture.Stratum.BaseAddress);
    private readonly HttpClient _admin = fixture.Stratum.Http();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_64_MiB_upload_is_READY_with_the_files_sha256_and_a_download_verifies()
    {
        var folderId = await _admin.CreateFolderAsync();
        var (file, checksum) = await _cli.RandomFileAsync("big.raw", 64 * MiB);

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

        // A name already taken is refused before the file is sent: the create would refuse it only after the whole upload.
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text;
        var taken = await _cli.RunProcessAsync("image", "create", "--name", "big", "--file", target, "--folder-id", folderId);
        Assert.True(taken.ExitCode == 1 && taken.Error.Contains("nothing was uploaded", StringComparison.Ordinal), taken.Error + taken.Output);
        Assert.Contains(image.Str("id"), taken.Error);
        Assert.DoesNotContain("Uploaded", taken.Output + taken.Error);
        Assert.Equal(quotas, (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text);
        // No file, or an empty one, is a usage error before anything is asked of the service (a missing one had been a
        // FileNotFoundException, exit 1; an empty one was uploaded and became an image in ERROR holding its name).
        var empty = Path.Combine(_cli.ConfigDirectory, "empty.raw");
        await File.WriteAllBytesAsync(empty, []);
        foreach (var (path, told) in new[] { (Path.Combine(_cli.ConfigDirectory, "nope.raw"), "is not a file"), (empty, "is empty") })
        {
            var noImage = await _cli.RunProcessAsync("image", "create", "--name", "other", "--file", path, "--folder-id", folderId);
            Assert.True(noImage.ExitCode == 2 && noImage.Error.Contains(told, StringComparison.Ordinal), $"{path}: {noImage.ExitCode} {noImage.Error}{noImage.Output}");
        }
        Assert.Single(await _admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task Global_options_may_lead_the_command_and_a_table_written_to_a_pipe_keeps_each_row_on_one_line()
    {
        var folderId = await _admin.CreateFolderAsync();
        const string name = "an-image-name-long-enough-to-be-wrapped-in-eighty-columns";
        const string family = "a-family-name-long-enough-to-wrap";
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, name, family, uri = fixture.Files.Add(Names.Unique("t"), DiskImages.Raw(4096)) });

        var json = await _cli.RunProcessAsync("--format", "json", "--folder-id", folderId, "image", "list");
        Assert.True(json.ExitCode == 0, json.Error);
        Assert.Equal(image.Str("id"), json.Json["images"]!.AsArray().Single()!.Str("id"));
        Assert.Equal(0, (await _cli.RunProcessAsync("--format=json", "image", "get", image.Str("id"))).ExitCode);

        // An option without its value is named (it took the next option as its value, or the parser
        // used a placeholder of its own: a folder was created with the description "__default_command"),
        // and so are global options with no command after them.
        var unmade = Names.Unique("no-description");
        foreach (var (args, told) in new[]
        {
            (new[] { "image", "list", "--folder-id", folderId, "--format" }, "--format needs a value"),
            (["--format", "--folder-id", folderId, "image", "list"], "--format needs a value"),
            (["--format", "json"], "No command follows"),
            ([$"--folder-id={folderId}"], "No command follows"),
            (["folder", "create", "--name", unmade, "--description"], "--description needs a value, as in --description <TEXT>"),
            (["image", "list", "--folder-id", folderId, "--page-size", "--format", "json"], "--page-size needs a value"),
        })
        {
            var refused = await _cli.RunProcessAsync(args);
            Assert.True(refused.ExitCode == 2 && refused.Error.Contains(told, StringComparison.Ordinal), $"{string.Join(' ', args)}: {refused.ExitCode} {refused.Error}");
        }
        // An error written to a file or a pipe is one line, as a table row is (it had been wrapped at 80 columns, padded with spaces).
        var tooSmall = await _cli.RunProcessAsync("disk", "create", "--size", "512", "--folder-id", folderId);
        Assert.True(tooSmall.ExitCode == 1, tooSmall.Error + tooSmall.Output);
        Assert.Single(tooSmall.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains("4194304 (4 MiB) to 4398046511104 (4 TiB)", StringComparison.Ordinal));
        Assert.DoesNotContain(" \n", tooSmall.Error);
        var nameStillFree = await _admin.PostReplyAsync("/resource-manager/v1/folders", new { name = unmade });
        Assert.True(nameStillFree.Status == System.Net.HttpStatusCode.OK && nameStillFree.Body!["error"] is null, nameStillFree.Text);
        // An id never has a ':', which in a path would call one of the resource's methods instead.
        var method = await _cli.RunProcessAsync("image", "get", $"{image.Str("id")}:listAccessBindings");
        Assert.True(method.ExitCode == 2 && method.Error.Contains("is not an id", StringComparison.Ordinal), method.Error + method.Output);
        // Nor is it empty (an unset shell variable), which in a path names the collection: get had listed the folder's images.
        foreach (var verb in new[] { "get", "delete" })
        {
            var empty = await _cli.RunProcessAsync("image", verb, "", "--folder-id", folderId);
            Assert.True(empty.ExitCode == 2 && empty.Error.Contains("The id is empty", StringComparison.Ordinal), $"{verb}: {empty.ExitCode} {empty.Error}{empty.Output}");
        }

        var table = await _cli.RunProcessAsync("image", "list", "--folder-id", folderId);
        Assert.True(table.ExitCode == 0, table.Error);
        var row = Assert.Single(table.Output.Split('\n'), line => line.Contains(image.Str("id"), StringComparison.Ordinal));
        Assert.Contains(name, row);
        Assert.Contains(family, row);
        Assert.Contains("READY", row);
    }

    [Fact]
    public async Task Json_output_parses_exit_codes_are_0_1_2_and_bulk_create_reports_every_instance()
    {
        var folderId = await _admin.CreateFolderAsync();
        var (file, _) = await _cli.RandomFileAsync("small.raw", MiB);
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

        Assert.True(bulk.ExitCode == 0, bulk.Error + bulk.Output);
        var names = bulk.Json["instances"]!.AsArray().Select(i => i!.Str("name")).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"fleet-{i}").ToHashSet(), names);
        Assert.Empty(bulk.Json["failures"]!.AsArray());
    }
}

using System.Security.Cryptography;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>`stratum` commands through Spectre.Console.Cli.Testing against the in-process cluster and its gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CliCommandTests(GatewayFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Stratum.BaseAddress);
    private readonly HttpClient _admin = fixture.Stratum.Http();

    private readonly CliRunner _bobCli = new(fixture.Stratum.BaseAddress, "dev-bob");

    public void Dispose()
    {
        _cli.Dispose();
        _bobCli.Dispose();
    }

    [Fact]
    public async Task Settings_come_from_the_flag_then_the_environment_then_the_config_file()
    {
        Assert.Equal(0, (await _cli.RunAsync("config", "set", "endpoint", "http://file.example:1")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("config", "set", "folder-id", "fldfromthefile000000")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("config", "set", "token", "secret-token-value")).ExitCode);

        var fromFile = (await _cli.RunAsync("config", "list", "--format", "json")).Json;
        Assert.Equal("http://file.example:1", fromFile["endpoint"]!.Str("value"));
        Assert.Equal("file", fromFile["endpoint"]!.Str("source"));
        Assert.DoesNotContain("secret-token-value", fromFile.ToJsonString());
        var env = new Dictionary<string, string> { ["STRATUM_ENDPOINT"] = "http://env.example:2", ["STRATUM_FOLDER_ID"] = "fldfromtheenvironmen" };
        var fromEnv = (await _cli.RunAsync(env, "config", "list", "--format", "json")).Json;
        Assert.Equal("http://env.example:2", fromEnv["endpoint"]!.Str("value"));
        Assert.Equal("environment", fromEnv["folder-id"]!.Str("source"));
        var fromFlag = (await _cli.RunAsync(env, "config", "list", "--format", "json", "--folder-id", "fldfromtheflag000000")).Json;
        Assert.Equal("fldfromtheflag000000", fromFlag["folder-id"]!.Str("value"));
        Assert.Equal("flag", fromFlag["folder-id"]!.Str("source"));

        // The file's folder is what a command uses when neither flag nor variable says otherwise.
        var folderId = await _admin.CreateFolderAsync();
        Assert.Equal(0, (await _cli.RunAsync("config", "set", "folder-id", folderId)).ExitCode);
        var images = await _cli.RunAsync("image", "list", "--format", "json");
        Assert.True(images.ExitCode == 0, images.Error);
        Assert.Empty(images.Json["images"]!.AsArray());
        var unknown = await _cli.RunAsync("config", "set", "colour", "red");
        Assert.Equal(2, unknown.ExitCode);
    }

    [Fact]
    public async Task Control_characters_from_the_service_are_shown_escaped_not_sent_to_the_terminal()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("t"), DiskImages.Raw(4096)) });
        // Starts a new table row, reverses what follows: what a description may hold (the service refuses other
        // control characters, a terminal's escape sequences among them; the id below carries one to the CLI's error).
        const string hostile = "evil\r\nfake row \u202egnp.exe";
        const string escaped = @"evil\u000d\u000afake row \u202egnp.exe";
        await _admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { description = hostile });

        var shown = await _cli.RunAsync("image", "get", image.Str("id"));
        var json = await _cli.RunAsync("image", "get", image.Str("id"), "--format", "json");
        var refused = await _cli.RunAsync("image", "get", "img\u001b[31mX");

        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Contains(escaped, shown.Output);
        Assert.DoesNotContain(shown.Output, c => c is '\r' or '\u202e');
        Assert.Equal(hostile, json.Json.Str("description"));
        Assert.Equal(1, refused.ExitCode);
        Assert.DoesNotContain('\u001b', refused.Error);
    }

    [Fact]
    public async Task Folders_and_quotas()
    {
        var created = await _cli.RunAsync("folder", "create", "--name", Names.Unique("cli"), "--format", "json");
        Assert.True(created.ExitCode == 0, created.Error);
        var folderId = created.Json.Str("id");
        Assert.StartsWith("fld", folderId);
        Assert.Contains(folderId, (await _cli.RunAsync("folder", "list")).Output);
        Assert.Equal(folderId, (await _cli.RunAsync("folder", "get", folderId, "--format", "json")).Json.Str("id"));

        var set = await _cli.RunAsync("quota", "set", "compute.images.size", "2T", "--folder-id", folderId, "--format", "json");
        Assert.True(set.ExitCode == 0, set.Error);
        var quotas = (await _cli.RunAsync("quota", "list", "--folder-id", folderId, "--format", "json")).Json["quotas"]!.AsArray();
        Assert.Equal((2L << 40).ToString(), quotas.Single(q => q!.Str("name") == "compute.images.size")!.Str("limit"));
        var table = await _cli.RunAsync("quota", "list", "--folder-id", folderId);
        Assert.Contains("compute.images.count", table.Output);
        Assert.Contains("2 TiB", table.Output);
    }

    [Fact]
    public async Task An_image_from_a_file_then_its_family_labels_deprecation_bindings_download_and_delete()
    {
        var folderId = await _admin.CreateFolderAsync();
        var file = Path.Combine(_cli.ConfigDirectory, "disk.qcow2");
        var bytes = DiskImages.Qcow2(16 * DiskImages.MiB);
        await File.WriteAllBytesAsync(file, bytes);
        var checksum = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

        var created = await _cli.RunAsync("image", "create", "--name", "web-v1", "--family", "web", "--label", "team=web", "--min-disk-size", "1G",
            "--file", file, "--folder-id", folderId, "--format", "json");

        Assert.True(created.ExitCode == 0, created.Error);
        var image = created.Json;
        Assert.Equal("READY", image.Str("status"));
        Assert.Equal(checksum, image.Str("checksum"));
        Assert.Equal((1L << 30).ToString(), image.Str("minDiskSize"));
        Assert.Contains($"Uploaded {bytes.Length / 1024} KiB ({bytes.Length / 1024} KiB sent now at", created.Error);
        Assert.Contains("0 B sent before)", created.Error);
        var id = image.Str("id");

        var list = await _cli.RunAsync("image", "list", "--folder-id", folderId);
        Assert.Contains("web-v1", list.Output);
        Assert.Contains("QCOW2", list.Output);
        Assert.Equal(id, (await _cli.RunAsync("image", "get-latest-from-family", "web", "--folder-id", folderId, "--format", "json")).Json.Str("id"));
        Assert.Contains("web", (await _cli.RunAsync("image", "families", "--folder-id", folderId)).Output);
        var updated = await _cli.RunAsync("image", "update", id, "--label", "team=infra", "--description", "the web tier", "--format", "json");
        Assert.Equal("infra", updated.Json["labels"]!.Str("team"));
        var added = await _cli.RunAsync("image", "add-access-binding", id, "--role", "compute.images.user", "--subject", "userAccount:bob", "--format", "json");
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Contains("bob", (await _cli.RunAsync("image", "list-access-bindings", id)).Output);
        var bobsView = await _bobCli.RunAsync("image", "get", id, "--format", "json");
        Assert.Equal(0, bobsView.ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("image", "remove-access-binding", id, "--role", "compute.images.user", "--subject", "userAccount:bob")).ExitCode);
        Assert.Equal(1, (await _bobCli.RunAsync("image", "get", id)).ExitCode);

        var target = Path.Combine(_cli.ConfigDirectory, "back.qcow2");
        var download = await _cli.RunAsync("image", "download", id, "--to", target, "--format", "json");
        Assert.True(download.ExitCode == 0, download.Error);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        Assert.True(download.Json["verified"]!.GetValue<bool>());

        var deprecated = await _cli.RunAsync("image", "deprecate", id, "--state", "deprecated", "--format", "json");
        Assert.Equal("DEPRECATED", deprecated.Json["deprecation"]!.Str("state"));
        Assert.Equal(1, (await _cli.RunAsync("image", "get-latest-from-family", "web", "--folder-id", folderId)).ExitCode);
        var deleted = await _cli.RunAsync("image", "delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.Error);
        Assert.Contains("Deleted image", deleted.Output);
        Assert.Equal(1, (await _cli.RunAsync("image", "get", id)).ExitCode);
    }

    [Fact]
    public async Task Refusals_exit_1_with_the_api_code_and_bad_command_lines_exit_2()
    {
        var missing = await _cli.RunAsync("image", "get", "imgaaaaaaaaaaaaaaaaa");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("code 5", missing.Error);
        var forbidden = await _bobCli.RunAsync("folder", "create", "--name", "nope");
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("code 7", forbidden.Error);

        Assert.Equal(2, (await _cli.RunAsync("image", "frobnicate")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("image", "list", "--no-such-option", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("image", "list", "--format", "yaml", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
        var noFolder = await _cli.RunAsync("image", "list");
        Assert.Equal(2, noFolder.ExitCode);
        Assert.Contains("folder-id", noFolder.Error);
        var badSize = await _cli.RunAsync("disk", "create", "--size", "10X", "--source-image", "imgaaaaaaaaaaaaaaaaa", "--folder-id", "fldaaaaaaaaaaaaaaaaa");
        Assert.Equal(2, badSize.ExitCode);
        Assert.Contains("10X", badSize.Error);
        Assert.Equal(2, (await _cli.RunAsync("image", "create", "--name", "x", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("image", "create", "--file", "/nonexistent/disk.img", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("image", "download", "imgaaaaaaaaaaaaaaaaa", "--to", _cli.ConfigDirectory)).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("image", "update", "imgaaaaaaaaaaaaaaaaa", "--label", "novalue")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("instance", "bulk-create", "--count", "0", "--name-prefix", "x", "--source-family", "f", "--boot-disk-size", "1G", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
        var named = await _cli.RunAsync("instance", "bulk-create", "--count", "2", "--name", "vm", "--name-prefix", "x", "--source-family", "f", "--boot-disk-size", "1G", "--folder-id", "fldaaaaaaaaaaaaaaaaa");
        Assert.Equal(2, named.ExitCode);
        Assert.Contains("--name does not apply", named.Error + named.Output);
        Assert.Equal(2, (await _cli.RunAsync("quota", "set", "compute.images.size", "-5G", "--folder-id", "fldaaaaaaaaaaaaaaaaa")).ExitCode);
    }

    [Fact]
    public async Task Disks_snapshots_instances_layers_and_operations()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        var file = Path.Combine(_cli.ConfigDirectory, "pooled.raw");
        await File.WriteAllBytesAsync(file, DiskImages.Raw(1 << 20));
        var image = (await _cli.RunAsync("image", "create", "--name", "base", "--family", "base", "--pooled", "--file", file, "--folder-id", folderId, "--format", "json")).Json;

        var layer = await _cli.RunAsync("layer", "get", image.Str("layerId"), "--format", "json");
        Assert.Equal(image.Str("layerId"), layer.Json.Str("id"));
        var disk = await _cli.RunAsync("disk", "create", "--name", "data", "--size", "1G", "--source-family", "base", "--folder-id", folderId, "--format", "json");
        Assert.True(disk.ExitCode == 0, disk.Error);
        Assert.Equal((1L << 30).ToString(), disk.Json.Str("size"));
        Assert.Equal(image.Str("id"), disk.Json.Str("sourceImageId"));
        // Without a source the disk is empty (a data disk), as the API makes it; two sources are a usage error.
        var empty = await _cli.RunAsync("disk", "create", "--name", "scratch", "--size", "1G", "--folder-id", folderId, "--format", "json");
        Assert.True(empty.ExitCode == 0, empty.Error);
        Assert.Equal("READY", empty.Json.Str("status"));
        Assert.Null(empty.Json["sourceImageId"] ?? empty.Json["sourceSnapshotId"]);
        var twoSources = await _cli.RunAsync("disk", "create", "--size", "1G", "--source-family", "base", "--source-image", image.Str("id"), "--folder-id", folderId);
        Assert.Equal(2, twoSources.ExitCode);
        Assert.Contains("at most one source", twoSources.Error + twoSources.Output);
        var snapshot = await _cli.RunAsync("snapshot", "create", "--disk-id", disk.Json.Str("id"), "--name", "snap", "--folder-id", folderId, "--format", "json");
        Assert.True(snapshot.ExitCode == 0, snapshot.Error);
        Assert.Contains("snap", (await _cli.RunAsync("snapshot", "list", "--folder-id", folderId)).Output);
        var instance = await _cli.RunAsync("instance", "create", "--name", "vm", "--boot-disk-size", "2G", "--source-image", image.Str("id"), "--folder-id", folderId, "--format", "json");
        Assert.True(instance.ExitCode == 0, instance.Error);
        Assert.Contains("vm", (await _cli.RunAsync("instance", "list", "--folder-id", folderId)).Output);
        Assert.Equal(instance.Json.Str("id"), (await _cli.RunAsync("instance", "get", instance.Json.Str("id"), "--format", "json")).Json.Str("id"));

        var pending = await _cli.RunAsync("instance", "delete", instance.Json.Str("id"), "--async", "--format", "json");
        var operationId = pending.Json.Str("id");
        var waited = await _cli.RunAsync("operation", "wait", operationId, "--format", "json");
        Assert.True(waited.Json["done"]!.GetValue<bool>());
        Assert.True((await _cli.RunAsync("operation", "get", operationId, "--format", "json")).Json["done"]!.GetValue<bool>());
        Assert.Equal(0, (await _cli.RunAsync("snapshot", "delete", snapshot.Json.Str("id"))).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("disk", "delete", disk.Json.Str("id"))).ExitCode);
        Assert.DoesNotContain("data", (await _cli.RunAsync("disk", "list", "--folder-id", folderId)).Output);
    }

    [Fact]
    public async Task Bulk_create_reports_every_instance()
    {
        var folderId = await _admin.CreateFolderAsync();
        var file = Path.Combine(_cli.ConfigDirectory, "bulk.raw");
        await File.WriteAllBytesAsync(file, DiskImages.Raw(1 << 20));
        Assert.Equal(0, (await _cli.RunAsync("image", "create", "--family", "fleet", "--file", file, "--folder-id", folderId)).ExitCode);

        var bulk = await _cli.RunAsync("instance", "bulk-create", "--count", "12", "--name-prefix", "web", "--source-family", "fleet", "--boot-disk-size", "1G", "--folder-id", folderId);

        Assert.True(bulk.ExitCode == 0, bulk.Error);
        for (var i = 1; i <= 12; i++)
        {
            Assert.Contains($"web-{i} ", bulk.Output);
        }
        Assert.Contains("Created 12 of 12 instances", bulk.Error);
        var started = await _cli.RunAsync("instance", "bulk-create", "--count", "2", "--name-prefix", "later", "--source-family", "fleet", "--boot-disk-size", "1G", "--folder-id", folderId, "--async", "--format", "json");
        Assert.True(started.ExitCode == 0, started.Error);
        Assert.DoesNotContain("Created", started.Error);
        var waited = await _cli.RunAsync("operation", "wait", started.Json["id"]!.GetValue<string>(), "--format", "json");
        Assert.Equal(["later-1", "later-2"], waited.Json["response"]!["instances"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).Order());
        var tooMany = await _cli.RunAsync("instance", "bulk-create", "--count", "40", "--name-prefix", "more", "--source-family", "fleet", "--boot-disk-size", "1G", "--folder-id", folderId, "--format", "json");
        Assert.Equal(1, tooMany.ExitCode);
    }

    [Fact]
    public async Task Watch_family_prints_the_latest_as_json_lines()
    {
        var folderId = await _admin.CreateFolderAsync();
        var file = Path.Combine(_cli.ConfigDirectory, "watched.raw");
        await File.WriteAllBytesAsync(file, DiskImages.Raw(1 << 20));
        var image = (await _cli.RunAsync("image", "create", "--family", "watched", "--file", file, "--folder-id", folderId, "--format", "json")).Json;

        var watch = await _cli.RunAsync("image", "watch-family", "watched", "--max-events", "1", "--folder-id", folderId, "--format", "json");

        Assert.True(watch.ExitCode == 0, watch.Error);
        Assert.Equal(image.Str("id"), System.Text.Json.Nodes.JsonNode.Parse(watch.Output.Trim())!["image"]!.Str("id"));
    }
}

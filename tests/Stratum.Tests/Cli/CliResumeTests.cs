using System.Text.Json.Nodes;
using Stratum.Tests.Infrastructure;
using Stratum.Tools;

namespace Stratum.Tests.Cli;

/// <summary>
/// An upload killed halfway and run again: the blob store sits behind a counting proxy (the
/// silos sign URLs for it through Stratum:Uploads:PublicBlobEndpoint), so the test counts the
/// bytes each run put rather than trusting the tool's account of them.
/// </summary>
public sealed class CliResumeTests : IAsyncLifetime
{
    private const long MiB = 1 << 20;
    private StratumCluster _stratum = null!;
    private CountingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.InstanceAsync();
        var blobEndpoint = new Uri(azurite.ConnectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]);
        var port = AzuriteProcess.FreePort();
        _proxy = await CountingProxy.StartAsync(new Uri(blobEndpoint.GetLeftPart(UriPartial.Authority)), port);
        _stratum = await StratumCluster.StartAsync(extra: new Dictionary<string, string?>
        {
            ["Stratum:Uploads:PublicBlobEndpoint"] = $"http://127.0.0.1:{port}{blobEndpoint.AbsolutePath}",
        });
    }

    public async Task DisposeAsync()
    {
        await _stratum.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_interrupted_halfway_resumes_without_resending_what_was_sent()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        using var cli = new CliRunner(_stratum.BaseAddress);
        var (file, checksum) = await cli.RandomFileAsync("interrupted.raw", 64 * MiB);
        using (var first = cli.Start("image", "create", "--name", "resumed", "--file", file, "--folder-id", folderId, "--limit-rate", "16M", "--format", "json"))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            await Wait.UntilAsync(() =>
            {
                Assert.False(first.HasExited, "the first upload ended before it got halfway");
                return JournalBlocks(cli) >= 4;
            }, seconds: 60, what: "the first upload getting halfway", pollMilliseconds: 20);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var acknowledged = JournalBlocks(cli) * 8 * MiB;
        var putByFirst = _proxy.BlockBytes;
        Assert.InRange(acknowledged, 32 * MiB, 56 * MiB);
        Assert.True(putByFirst >= acknowledged, $"the proxy saw {putByFirst} bytes, the journal claims {acknowledged}");

        var second = await cli.RunProcessAsync("image", "create", "--name", "resumed", "--file", file, "--folder-id", folderId, "--format", "json");

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("Resuming upload", second.Error);
        Assert.Equal(64 * MiB - acknowledged, _proxy.BlockBytes - putByFirst);
        Assert.Equal(checksum, second.Json.Str("checksum"));
        Assert.Equal("READY", second.Json.Str("status"));
        Assert.Empty(Directory.GetFiles(Path.Combine(cli.ConfigDirectory, "uploads"), "*.json"));
        Assert.Single(await admin.ListImagesAsync(folderId));
    }

    [Fact]
    public async Task Upload_urls_point_at_the_public_blob_endpoint()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();

        var reply = await admin.PostReplyAsync("/compute/v1/images:prepareUpload", new { folderId });

        Assert.StartsWith(_proxy.BaseAddress.ToString(), reply.Body!.Str("uploadUrl"));
    }

    /// <summary>How many blocks the tool's journal records as acknowledged by the store.</summary>
    private static int JournalBlocks(CliRunner cli)
    {
        var directory = Path.Combine(cli.ConfigDirectory, "uploads");
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
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Grpc;

/// <summary>
/// The provider's Node SDK suite in <c>tests/sdk</c>: its package (the SDK pinned exactly) is
/// installed with npm when missing, as Azurite is; it is run once against the fixture's cluster
/// over TLS with the development CA, with node's own test runner; and each of its tests is then a
/// result of its own here (<see cref="ProviderSdkTests"/>).
/// </summary>
public static partial class NodeSdkSuite
{
    public sealed record Result(string Name, string? File, bool Passed, string? Error);

    public sealed record Run(IReadOnlyList<Result> Results, string Output);

    public static string Directory => Path.Combine(Azurite.RepositoryRoot(), "tests", "sdk");

    /// <summary>The tests the suite's files declare (top-level <c>test('…')</c> calls), read without running them.</summary>
    public static IReadOnlyList<string> DeclaredTests() =>
        System.IO.Directory.GetFiles(Directory, "*.test.mjs").Order(StringComparer.Ordinal)
            .SelectMany(file => TestCall().Matches(File.ReadAllText(file)).Select(m => Regex.Unescape(m.Groups[1].Value)))
            .ToList();

    public static async Task<Run> RunAsync(GrpcFixture fixture)
    {
        await InstallAsync();
        var environment = await PrepareAsync(fixture);
        var output = Path.Combine(System.IO.Directory.CreateTempSubdirectory("stratum-sdk-").FullName, "results.jsonl");
        var files = System.IO.Directory.GetFiles(Directory, "*.test.mjs").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);
        var start = new ProcessStartInfo("node",
            ["--test", "--test-reporter=./reporter.mjs", $"--test-reporter-destination={output}", "--test-reporter=spec", "--test-reporter-destination=stdout", .. files])
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var (exitCode, log) = await RunProcessAsync(start, TimeSpan.FromMinutes(5));
        var results = File.Exists(output)
            ? File.ReadAllLines(output).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Result>(l, Json)!).ToList()
            : [];
        if (results.Count == 0)
        {
            throw new InvalidOperationException($"The Node SDK suite reported no test (exit code {exitCode}):\n{log}");
        }
        return new Run(results, log);
    }

    /// <summary>What the suite's tests need that the gRPC API does not make: folders, a grant, quotas, files to import.</summary>
    private static async Task<Dictionary<string, string>> PrepareAsync(GrpcFixture fixture)
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        foreach (var (quota, limit) in new[] { ("compute.images.count", 200L), ("compute.disks.count", 100L), ("compute.snapshots.count", 50L), ("compute.instances.count", 100L) })
        {
            await admin.SetQuotaAsync(folderId, quota, limit);
        }
        await admin.GrantAsync(folderId, "viewer", "alice");
        // The recycle-bin tests turn the bin on (through Stratum's gRPC) in a folder of their own.
        var binFolderId = await admin.CreateFolderAsync();
        var quotaFolderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(quotaFolderId, "compute.images.count", 0);
        return new Dictionary<string, string>
        {
            ["STRATUM_GRPC_ENDPOINT"] = $"127.0.0.1:{fixture.Endpoints.TlsPort}",
            ["STRATUM_CA_PATH"] = fixture.Endpoints.CaPath,
            ["STRATUM_FOLDER_ID"] = folderId,
            ["STRATUM_QUOTA_FOLDER_ID"] = quotaFolderId,
            ["STRATUM_BIN_FOLDER_ID"] = binFolderId,
            ["STRATUM_IMAGE_URL"] = fixture.Files.Add($"{Names.Unique("sdk")}.qcow2", DiskImages.Qcow2(64 * DiskImages.MiB)),
            // A compressed stream: refused by name, whatever else the import rules become.
            ["STRATUM_BAD_IMAGE_URL"] = fixture.Files.Add($"{Names.Unique("sdk")}.qcow2.gz", Gzip(DiskImages.Qcow2(64 * DiskImages.MiB))),
        };
    }

    private static byte[] Gzip(byte[] content)
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return packed.ToArray();
    }

    /// <summary>npm ci in tests/sdk when the pinned SDK is not installed yet.</summary>
    private static async Task InstallAsync()
    {
        if (File.Exists(Path.Combine(Directory, "node_modules", "@yandex-cloud", "nodejs-sdk", "package.json")))
        {
            return;
        }
        var (exitCode, log) = await RunProcessAsync(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }, TimeSpan.FromMinutes(5));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in tests/sdk exited with {exitCode}: Node.js 20+ and npm are needed.\n{log}");
        }
    }

    private static async Task<(int ExitCode, string Log)> RunProcessAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (log)
            {
                log.AppendLine($"(killed after {timeout.TotalMinutes} min)");
            }
        }
        lock (log)
        {
            return (process.ExitCode, log.ToString());
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"^test\('((?:[^'\\]|\\.)*)'", RegexOptions.Multiline)]
    private static partial Regex TestCall();
}

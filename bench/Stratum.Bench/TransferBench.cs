using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Stratum.LoadTest;

namespace Stratum.Bench;

/// <summary>
/// bench/transfer: the CLI's upload and download of one file against a plain Azure SDK upload and
/// download of the same file to the same store (Azurite, on this machine), in the same run,
/// rounds alternated; prints the rates and their ratios.
/// </summary>
public static class TransferBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var size = 2L << 30;
        var rounds = 2;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--size": size = ParseSize(args[i + 1]); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; options: --size 2G --rounds 2");
            }
        }
        log.WriteLine($"machine: {Machine.Describe()}");
        var root = LocalCluster.RepositoryRoot();
        var cli = Path.Combine(root, "tools", "Cli", "bin", "Release", "net10.0", "stratum.dll");
        await using var cluster = await LocalCluster.StartAsync(new LoadOptions { Local = true, Silos = 1, Configuration = "Release" }, log);
        using var admin = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "dev-admin");
        await using var preparation = new Preparation(admin);
        var folderId = await preparation.CreateFolderAsync(count: 0);

        var work = Directory.CreateTempSubdirectory("stratum-transfer-").FullName;
        try
        {
            var file = Path.Combine(work, "disk.raw");
            await WriteRandomFileAsync(file, size);
            var container = new BlobContainerClient(cluster.Storage, "bench-sdk");
            await container.CreateIfNotExistsAsync();
            var results = new List<(string What, double Seconds)>();
            for (var round = 1; round <= rounds; round++)
            {
                var sdkBlob = container.GetBlobClient($"round-{round}");
                var imageId = "";
                var sdkUpload = async () => results.Add(("sdk upload", await TimeAsync(() => sdkBlob.UploadAsync(file, overwrite: true))));
                var cliUpload = async () => results.Add(("cli upload", await TimeAsync(async () =>
                {
                    var created = await RunCliAsync(cli, cluster.GatewayUrl, work, ["image", "create", "--file", file, "--folder-id", folderId, "--async", "--format", "json"]);
                    imageId = created["metadata"]!["imageId"]!.GetValue<string>();
                })));
                // Which goes first alternates: the second upload of a round follows a store still busy with the first.
                foreach (var upload in round % 2 == 1 ? new[] { sdkUpload, cliUpload } : [cliUpload, sdkUpload])
                {
                    await upload();
                }
                var import = await TimeAsync(() => WaitReadyAsync(admin, imageId));
                log.WriteLine($"round {round}: import of the upload (server side, after the upload): {import:F1} s");

                // Both downloads read the image's own blob: the SDK through a read URL from :export.
                using var export = await admin.PostAsync($"/compute/v1/images/{imageId}:export", null);
                var exportUrl = JsonNode.Parse(await export.Content.ReadAsStringAsync())!["url"]!.GetValue<string>();
                var sdkTarget = Path.Combine(work, "sdk.out");
                results.Add(("sdk download", await TimeAsync(() => new BlobClient(new Uri(exportUrl)).DownloadToAsync(sdkTarget))));
                // For reference: the SDK reading the blob it uploaded itself (one Put Blob, laid out otherwise than the import's blocks).
                results.Add(("sdk own blob", await TimeAsync(() => sdkBlob.DownloadToAsync(sdkTarget))));
                var cliTarget = Path.Combine(work, "cli.out");
                results.Add(("cli download", await TimeAsync(() => RunCliAsync(cli, cluster.GatewayUrl, work, ["image", "download", imageId, "--to", cliTarget, "--format", "json"]))));
                File.Delete(sdkTarget);
                File.Delete(cliTarget);
                await sdkBlob.DeleteAsync();
                await admin.DeleteAsync($"/compute/v1/images/{imageId}");
            }

            log.WriteLine();
            log.WriteLine($"{Format(size)} file, {rounds} round(s) alternated, everything on this machine:");
            log.WriteLine($"{"what",-14} {"MiB/s (each round)",-26} {"mean MiB/s",10}");
            double Mean(string what) => results.Where(r => r.What == what).Average(r => size / r.Seconds / (1 << 20));
            foreach (var what in new[] { "sdk upload", "cli upload", "sdk download", "cli download", "sdk own blob" })
            {
                var each = string.Join(", ", results.Where(r => r.What == what).Select(r => (size / r.Seconds / (1 << 20)).ToString("F0", CultureInfo.InvariantCulture)));
                log.WriteLine($"{what,-14} {each,-26} {Mean(what),10:F0}");
            }
            log.WriteLine($"ratio cli/sdk upload:   {Mean("cli upload") / Mean("sdk upload"):F2} (goal >= 0.80)");
            log.WriteLine($"ratio cli/sdk download: {Mean("cli download") / Mean("sdk download"):F2} (goal >= 0.80; both read the image's blob)");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<JsonNode> RunCliAsync(string cli, string endpoint, string configDirectory, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var arg in args.Concat(["--endpoint", endpoint, "--token", "dev-admin"]))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["STRATUM_CONFIG_DIR"] = configDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? JsonNode.Parse(await output)!
            : throw new InvalidOperationException($"stratum {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
    }

    private static async Task WaitReadyAsync(HttpClient admin, string imageId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (DateTime.UtcNow < deadline)
        {
            var image = JsonNode.Parse(await admin.GetStringAsync($"/compute/v1/images/{imageId}"))!;
            switch (image["status"]!.GetValue<string>())
            {
                case "READY": return;
                case "ERROR": throw new InvalidOperationException($"the import of {imageId} failed");
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{imageId} was not READY within 30 minutes");
    }

    private static async Task WriteRandomFileAsync(string path, long size)
    {
        await using var stream = File.Create(path);
        var buffer = new byte[8 << 20];
        for (long written = 0; written < size; written += buffer.Length)
        {
            Random.Shared.NextBytes(buffer);
            buffer[0] = written == 0 ? (byte)0xEB : buffer[0];
            await stream.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
        }
    }

    private static long ParseSize(string text) => text[^1] switch
    {
        'G' => long.Parse(text[..^1], CultureInfo.InvariantCulture) << 30,
        'M' => long.Parse(text[..^1], CultureInfo.InvariantCulture) << 20,
        _ => long.Parse(text, CultureInfo.InvariantCulture),
    };

    private static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes >> 30} GiB" : $"{bytes >> 20} MiB";
}

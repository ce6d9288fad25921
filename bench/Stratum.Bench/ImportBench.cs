using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stratum.LoadTest;

namespace Stratum.Bench;

/// <summary>
/// <c>bench/run import</c>: importing an image over loopback HTTP (inspection, hashing, quota,
/// parallel block staging) against a plain upload of the same bytes from the same source into the
/// same blob store with the Azure SDK (same block size and parallelism), rounds alternated.
/// </summary>
public static class ImportBench
{
    public const string Usage = "usage: bench/run import [--size-mib 2048] [--rounds 2]";
    private const int BlockSize = 8 << 20;
    private const int Parallel = 4;

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var (sizeMib, rounds) = Parse(args);
        log.WriteLine($"machine: {Machine.Describe()}");
        await using var cluster = await LocalCluster.StartAsync(new LoadOptions { Local = true, Silos = 1, Configuration = "Release" }, log);
        var file = Path.Combine(cluster.Logs, "import.raw");
        await WriteRawDiskAsync(file, (long)sizeMib << 20);
        await using var source = await ServeAsync(file);
        var uri = $"{source.Urls.First()}/import.raw";
        using var admin = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromHours(1) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "dev-admin");
        await using var preparation = new Preparation(admin);
        var folderId = await preparation.CreateFolderAsync(count: 0);
        var store = new BlobContainerClient(cluster.Storage, "images");
        await store.CreateIfNotExistsAsync();

        var results = new List<(string Target, double MiBps)>();
        for (var round = 0; round < rounds; round++)
        {
            results.Add(("plain upload", await PlainUploadAsync(uri, store, sizeMib)));
            results.Add(("stratum import", await StratumImportAsync(admin, folderId, uri, sizeMib)));
        }
        log.WriteLine();
        log.WriteLine($"Import of a {sizeMib} MiB raw disk over loopback HTTP, {rounds} round(s) alternated ({BlockSize >> 20} MiB blocks, {Parallel} in flight for both):");
        foreach (var (target, rate) in results)
        {
            log.WriteLine($"{target,-16} {rate,8:F1} MiB/s");
        }
        var plain = results.Where(r => r.Target == "plain upload").Average(r => r.MiBps);
        var stratum = results.Where(r => r.Target == "stratum import").Average(r => r.MiBps);
        log.WriteLine($"ratio import/plain: {stratum / plain:F2} (goal >= 0.80); import {stratum:F1} MiB/s (Glance 25.1 web-download here: 78 MiB/s)");
        return 0;
    }

    private static (int SizeMib, int Rounds) Parse(string[] args)
    {
        var (size, rounds) = (2048, 2);
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i]} needs a positive number.\n{Usage}");
            (size, rounds) = args[i] switch
            {
                "--size-mib" => (value, rounds),
                "--rounds" => (size, value),
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }
        return (size, rounds);
    }

    /// <summary>A raw disk: an MBR's jump, then incompressible bytes, in whole sectors.</summary>
    private static async Task WriteRawDiskAsync(string path, long bytes)
    {
        await using var output = File.Create(path);
        var block = new byte[1 << 20];
        var random = new Random(42);
        for (long written = 0; written < bytes; written += block.Length)
        {
            random.NextBytes(block);
            if (written == 0)
            {
                block[0] = 0xEB; block[1] = 0x63; block[2] = 0x90; block[3] = 0;
            }
            await output.WriteAsync(block);
        }
    }

    private static async Task<WebApplication> ServeAsync(string file)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/import.raw", (HttpContext context) => Results.File(file, "application/octet-stream"));
        await app.StartAsync();
        return app;
    }

    private static async Task<double> PlainUploadAsync(string uri, BlobContainerClient store, int sizeMib)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromHours(1) };
        var blob = store.GetBlobClient("bench-plain-upload");
        var clock = Stopwatch.StartNew();
        using (var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await blob.UploadAsync(body, new BlobUploadOptions
            {
                TransferOptions = new() { MaximumConcurrency = Parallel, InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize },
            });
        }
        var rate = sizeMib / clock.Elapsed.TotalSeconds;
        await blob.DeleteIfExistsAsync();
        return rate;
    }

    private static async Task<double> StratumImportAsync(HttpClient admin, string folderId, string uri, int sizeMib)
    {
        var clock = Stopwatch.StartNew();
        using var created = await admin.PostAsJsonAsync("/compute/v1/images", new { folderId, uri });
        var operation = await DoneAsync(admin, await created.Content.ReadFromJsonAsync<JsonNode>());
        var rate = sizeMib / clock.Elapsed.TotalSeconds;
        if (operation["error"] is { } error)
        {
            throw new InvalidOperationException($"The import failed: {error.ToJsonString()}");
        }
        var imageId = operation["response"]!["id"]!.GetValue<string>();
        using var deleted = await admin.DeleteAsync($"/compute/v1/images/{imageId}");
        await DoneAsync(admin, await deleted.Content.ReadFromJsonAsync<JsonNode>());
        return rate;
    }

    private static async Task<JsonNode> DoneAsync(HttpClient admin, JsonNode? operation)
    {
        var id = operation?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"No operation: {operation?.ToJsonString()}");
        while (true)
        {
            var current = (await admin.GetFromJsonAsync<JsonNode>($"/operations/{id}"))!;
            if (current["done"]!.GetValue<bool>())
            {
                return current;
            }
            await Task.Delay(20);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Stratum.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Stratum.Tests.Gateway.Fuzz;

/// <summary>
/// Walks every operation of /openapi/v1.json with generated bad bodies, query strings, headers and
/// ids (seeded, so a failure repeats): no request may get a 5xx, every 4xx must be the contract's
/// error body with the status its code maps to, and afterwards the folder's quota counters must be
/// exactly what it holds.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ApiFuzzTests(GatewayFixture fixture, ITestOutputHelper output)
{
    /// <summary>The run CI makes; <c>STRATUM_FUZZ_SEED</c> and <c>STRATUM_FUZZ_REQUESTS</c> explore others.</summary>
    public const ulong Seed = 20261130;
    public const int Requests = 3000;

    private static readonly Dictionary<int, int> StatusOfCode = new()
    {
        [3] = 400, [5] = 404, [6] = 409, [7] = 403, [8] = 429, [9] = 400, [10] = 409, [13] = 500, [14] = 503, [16] = 401,
    };

    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task Thousands_of_bad_requests_get_no_5xx_the_error_body_on_every_4xx_and_leave_the_counters_exact()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("STRATUM_FUZZ_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : Seed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("STRATUM_FUZZ_REQUESTS"), CultureInfo.InvariantCulture, out var asked) ? asked : Requests;
        var (targets, anchor) = await PrepareAsync();
        var document = JsonNode.Parse(await fixture.Stratum.Http(token: null).GetStringAsync("/openapi/v1.json"))!;
        var requests = new FuzzRequests(document, targets).Requests().Array[count].Generate(new PCG(1, seed), null!, out _);

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var http = new HttpClient { BaseAddress = fixture.Stratum.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var (status, verdict) = await SendAsync(http, requests[i]);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (verdict is not null)
            {
                failures.Enqueue($"#{i} {verdict}\n    {requests[i]}");
            }
        });

        output.WriteLine($"{count} requests, seed {seed}: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        output.WriteLine($"operations covered: {requests.Select(r => r.OperationId).Distinct().Count()} of {document["paths"]!.AsObject().Sum(p => p.Value!.AsObject().Count)}");
        Assert.True(failures.IsEmpty, $"seed {seed}, {failures.Count} of {count} requests broke the contract:\n" + string.Join("\n", failures.Take(15)));
        await AssertCountersExactAsync(targets.FolderId, anchor);
    }

    /// <summary>A folder with one of each resource for the fuzz to name, and an anchor image it never learns of, so the folder cannot be emptied and deleted.</summary>
    private async Task<(FuzzTargets Targets, string Anchor)> PrepareAsync()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "viewer", "bob");
        var anchor = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, deletionProtection = true, uri = fixture.Files.Add(Names.Unique("anchor"), DiskImages.Raw(4096)) })).Str("id");
        var imageReply = await _admin.PostReplyAsync("/compute/v1/images", new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("fuzz"), DiskImages.Raw(8192)) });
        var image = (await _admin.WaitAsync(imageReply.Body!))["response"]!.Str("id");
        var disk = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 1L << 30, imageId = image })).Str("id");
        var snapshot = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/snapshots", new { folderId, diskId = disk })).Str("id");
        var instance = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances",
            new { folderId, bootDiskSpec = new { diskSpec = new { size = 1L << 30, imageId = image } } })).Str("id");
        return (new FuzzTargets(folderId, image, disk, snapshot, instance, imageReply.Body!.Str("id"), "web"), anchor);
    }

    private static async Task<(int Status, string? Verdict)> SendAsync(HttpClient http, FuzzRequest fuzz)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", fuzz.Token);
        }
        foreach (var (name, value) in fuzz.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, FuzzRequests.Ascii(value));
        }
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(fuzz.Body));
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }
        // A watch that is accepted streams for ever: its headers are the answer.
        using var response = await http.SendAsync(request, fuzz.IsWatch ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
        var status = (int)response.StatusCode;
        if (fuzz.IsWatch && status == 200)
        {
            return (status, response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? null : "a watch answered 200 without an event stream");
        }
        return (status, Judge(status, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync()));
    }

    /// <summary>What is wrong with a response, or null.</summary>
    private static string? Judge(int status, string? mediaType, string text)
    {
        if (status >= 500)
        {
            return $"{status}: {text}";
        }
        if (mediaType != "application/json")
        {
            return $"{status} with Content-Type {mediaType ?? "none"}: {text}";
        }
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return $"{status} with a body that is not JSON: {text}";
        }
        if (status < 400)
        {
            return body is JsonObject ? null : $"{status} with a body that is not an object: {text}";
        }
        if (body is not JsonObject error || !error.Select(p => p.Key).SequenceEqual(["code", "message", "details"])
            || error["code"] is not JsonValue code || code.GetValueKind() != JsonValueKind.Number
            || error["message"] is not JsonValue message || message.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(message.GetValue<string>())
            || error["details"] is not JsonArray)
        {
            return $"{status} without the contract's error body: {text}";
        }
        var value = code.GetValue<int>();
        var expected = (status is 405 or 415 && value == 3) || StatusOfCode.GetValueOrDefault(value) == status;
        return expected ? null : $"{status} carries code {value}, which maps to {StatusOfCode.GetValueOrDefault(value)}: {text}";
    }

    /// <summary>Quota usage equals what the folder holds, once every operation the fuzz started has settled.</summary>
    private async Task AssertCountersExactAsync(string folderId, string anchor)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        List<string> mismatches;
        while (true)
        {
            mismatches = await MismatchesAsync(folderId);
            if (mismatches.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(250);
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        var kept = (await _admin.GetReplyAsync($"/compute/v1/images/{anchor}")).Body!;
        Assert.Equal("READY", kept.Str("status"));
    }

    private async Task<List<string>> MismatchesAsync(string folderId)
    {
        var images = (await ListAsync($"/compute/v1/images?folderId={folderId}", "images")).Concat(await ListAsync($"/compute/v1/images?folderId={folderId}&view=RECYCLE_BIN", "images")).ToList();
        var disks = await ListAsync($"/compute/v1/disks?folderId={folderId}", "disks");
        var snapshots = await ListAsync($"/compute/v1/snapshots?folderId={folderId}", "snapshots");
        var instances = await ListAsync($"/compute/v1/instances?folderId={folderId}", "instances");
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray()
            .ToDictionary(q => q!.Str("name"), q => long.Parse(q!.Str("usage"), CultureInfo.InvariantCulture));
        var settling = images.Where(i => i.Str("status") is "CREATING" or "DELETING").Select(i => $"image {i.Str("id")} is {i.Str("status")}");
        var expected = new Dictionary<string, long>
        {
            ["compute.images.count"] = images.Count,
            ["compute.images.size"] = images.Where(i => i.Str("status") != "ERROR").Sum(i => Long(i["storageSize"])),
            ["compute.disks.count"] = disks.Count,
            ["compute.disks.size"] = disks.Sum(d => Long(d["size"])),
            ["compute.snapshots.count"] = snapshots.Count,
            ["compute.snapshots.size"] = snapshots.Sum(s => Long(s["storageSize"])),
            ["compute.instances.count"] = instances.Count,
        };
        return [.. settling, .. expected.Where(e => quotas[e.Key] != e.Value).Select(e => $"{e.Key}: usage {quotas[e.Key]}, but the folder holds {e.Value}")];
    }

    private static long Long(JsonNode? value) => long.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture);

    private async Task<List<JsonNode>> ListAsync(string path, string plural)
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var reply = await _admin.GetReplyAsync(path + "&pageSize=1000" + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token)));
            Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
            all.AddRange(reply.Body![plural]!.AsArray().Select(n => n!));
            token = reply.Body!["nextPageToken"]?.GetValue<string>();
        }
        while (token is not null);
        return all;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Stratum.Bench;

/// <summary>
/// How long after an image becomes READY every gateway returns it as latest to a reader that had
/// the previous answer cached: one sample per new image, the slowest gateway's delay.
/// </summary>
public static class Freshness
{
    public static async Task<List<double>> MeasureAsync(HttpClient admin, IReadOnlyList<HttpClient> readers, string folderId, string family,
        Func<Task<string>> newImageUri, int samples, TimeSpan quietBefore = default)
    {
        var delays = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            // After a quiet spell the feed's queue is read at its idle rate: the first news waits for the next read.
            await Task.Delay(quietBefore);
            foreach (var reader in readers)
            {
                await LatestAsync(reader, folderId, family);
            }
            var create = await admin.PostAsJsonAsync("/compute/v1/images", new { folderId, family, uri = await newImageUri() });
            var operation = await create.Content.ReadFromJsonAsync<JsonNode>();
            var id = create.IsSuccessStatusCode ? operation!["id"]!.GetValue<string>() : throw new InvalidOperationException($"Could not create an image: {operation}");
            JsonNode done;
            while (!(done = (await admin.GetFromJsonAsync<JsonNode>($"/operations/{id}"))!)["done"]!.GetValue<bool>())
            {
                await Task.Delay(5);
            }
            var clock = Stopwatch.StartNew();
            var imageId = done["response"]!["id"]!.GetValue<string>();
            await Task.WhenAll(readers.Select(async reader =>
            {
                while (await LatestAsync(reader, folderId, family) != imageId)
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        throw new TimeoutException($"A gateway still did not return {imageId} after 30 s.");
                    }
                    await Task.Delay(2);
                }
            }));
            delays.Add(clock.Elapsed.TotalMilliseconds);
        }
        return delays;
    }

    private static async Task<string?> LatestAsync(HttpClient reader, string folderId, string family)
    {
        var response = await reader.GetAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family={family}");
        return response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>() : null;
    }
}

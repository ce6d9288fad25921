using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;

namespace Stratum.LoadTest;

/// <summary>
/// Makes a fresh folder ready for a run: quotas large enough, the load test's service account as
/// editor (for the Orleans-client target), and a pooled image in the family, imported from a
/// small qcow2 this tool serves itself on loopback. A step the service answers 503 (storage failed a
/// write, "retry with the same Idempotency-Key") is sent again with the same key, so a run does not
/// end on one failed write before it has begun.
/// </summary>
public sealed class Preparation(HttpClient admin) : IAsyncDisposable
{
    private readonly Tools.LoopbackFiles _files = new();

    public async Task<string> CreateFolderAsync(int count)
    {
        var folder = await DoneAsync(HttpMethod.Post, "/resource-manager/v1/folders", new { name = "loadtest-" + Guid.NewGuid().ToString("N")[..8] });
        var folderId = folder["id"]!.GetValue<string>();
        var limits = new (string Name, long Limit)[]
        {
            ("compute.instances.count", count + 1000), ("compute.disks.count", count + 1000), ("compute.disks.size", 1L << 60),
            ("compute.diskPools.count", 1000), ("compute.images.count", count + 1000), ("compute.images.size", 1L << 50),
        };
        using var quotas = await admin.PatchAsJsonAsync($"/compute/v1/folders/{folderId}/quotas", new { quotas = limits.Select(l => new { name = l.Name, limit = l.Limit }) });
        quotas.EnsureSuccessStatusCode();
        await DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId = "editor", subject = new { id = "loadtest", type = "serviceAccount" } } } },
        });
        return folderId;
    }

    /// <summary>Publishes a new pooled image with unique content (so its own base layer) into the family.</summary>
    public async Task<string> PublishAsync(string folderId, string family)
    {
        var image = await DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family, pooled = true, uri = await ServeNewImageAsync() });
        return image["id"]!.GetValue<string>();
    }

    /// <summary>Serves a small qcow2 of unique content and returns the URL to import it from.</summary>
    public Task<string> ServeNewImageAsync() => _files.ServeAsync(Tools.LoopbackFiles.Qcow2(64L << 20, Guid.NewGuid().ToString("N")));

    /// <summary>Grants a role on the folder to a user account.</summary>
    public Task GrantAsync(string folderId, string roleId, string userId) =>
        DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId, subject = new { id = userId, type = "userAccount" } } } },
        });

    public Task DeprecateAsync(string imageId) =>
        DoneAsync(HttpMethod.Post, $"/compute/v1/images/{imageId}:deprecate", new { state = "DEPRECATED" });

    private async Task<JsonNode> DoneAsync(HttpMethod method, string path, object body)
    {
        var key = Guid.NewGuid().ToString("N");
        using var response = await Unavailable.ExecuteAsync(async cancel =>
        {
            var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await admin.SendAsync(request, cancel);
        });
        var operation = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {operation.ToJsonString()}");
        }
        for (var i = 0; !operation["done"]!.GetValue<bool>(); i++)
        {
            await Task.Delay(100);
            operation = (await admin.GetFromJsonAsync<JsonNode>($"/operations/{operation["id"]!.GetValue<string>()}"))!;
            if (i > 600)
            {
                throw new TimeoutException($"{method} {path} did not finish in 60 s.");
            }
        }
        return operation["error"] is { } error ? throw new InvalidOperationException($"{method} {path}: {error.ToJsonString()}") : operation["response"]!;
    }

    /// <summary>Up to five attempts a second apart while the service answers 503.</summary>
    private static readonly ResiliencePipeline<HttpResponseMessage> Unavailable = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.ServiceUnavailable),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromSeconds(1),
            OnRetry = retry =>
            {
                retry.Outcome.Result?.Dispose();
                return default;
            },
        }).Build();

    public ValueTask DisposeAsync() => _files.DisposeAsync();
}

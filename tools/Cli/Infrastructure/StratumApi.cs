using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Stratum.Cli.Infrastructure;

/// <summary>The REST API, as JSON in and out; a refusal becomes an <see cref="ApiException"/> with the API's code and message.</summary>
internal sealed class StratumApi : IDisposable
{
    private readonly HttpClient _http;

    public StratumApi(Uri endpoint, string? token, HttpMessageHandler handler)
    {
        _http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(5) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("stratum-cli", "0.1"));
    }

    public Uri Endpoint => _http.BaseAddress!;

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellation) => SendAsync(HttpMethod.Get, path, null, null, cancellation);

    public Task<JsonNode> PostAsync(string path, JsonNode? body, CancellationToken cancellation, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, body, idempotencyKey, cancellation);

    public Task<JsonNode> PatchAsync(string path, JsonNode body, CancellationToken cancellation) => SendAsync(HttpMethod.Patch, path, body, null, cancellation);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken cancellation) => SendAsync(HttpMethod.Delete, path, null, null, cancellation);

    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, string? idempotencyKey, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (JsonException)
        {
            // Not the API's JSON (a proxy's error page): reported below by status.
        }
        if (!response.IsSuccessStatusCode)
        {
            throw json?["code"] is JsonValue code && code.TryGetValue<int>(out var number)
                ? new ApiException(number, json["message"]?.GetValue<string>() ?? "", (int)response.StatusCode)
                : new ApiException(0, $"{method} {path} answered HTTP {(int)response.StatusCode}.", (int)response.StatusCode);
        }
        return json ?? new JsonObject();
    }

    /// <summary>A request whose response the caller reads (server-sent events).</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellation)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellation);
        }
        catch (HttpRequestException e)
        {
            throw new TransferException($"Cannot reach {_http.BaseAddress}: {e.Message}", e);
        }
    }

    /// <summary>Polls an operation until it is done; <paramref name="onPoll"/> sees each state.</summary>
    public async Task<JsonNode> WaitAsync(JsonNode operation, CancellationToken cancellation, Func<JsonNode, Task>? onPoll = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromHours(3));
        var delay = TimeSpan.FromMilliseconds(100);
        while (operation["done"]?.GetValue<bool>() != true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TransferException($"Operation {operation["id"]} was not done within {timeout}.");
            }
            await Task.Delay(delay, cancellation);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 1000));
            operation = await GetAsync($"/operations/{operation["id"]!.GetValue<string>()}", cancellation);
            if (onPoll is not null)
            {
                await onPoll(operation);
            }
        }
        return operation;
    }

    /// <summary>The response of a finished operation, or its error as an <see cref="ApiException"/>.</summary>
    public static JsonNode ResponseOf(JsonNode operation) =>
        operation["error"] is { } error
            ? throw new ApiException(error["code"]?.GetValue<int>() ?? 0, error["message"]?.GetValue<string>() ?? "")
            : operation["response"] ?? new JsonObject();

    public void Dispose() => _http.Dispose();
}

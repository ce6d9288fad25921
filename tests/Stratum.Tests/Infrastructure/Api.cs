using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Stratum.Tests.Infrastructure;

/// <summary>Small helpers for talking to the gateway the way a user of the API would.</summary>
public static class Api
{
    public sealed record Reply(HttpStatusCode Status, JsonNode? Body)
    {
        public int? Code => Body?["code"]?.GetValue<int>();
        public string? Message => Body?["message"]?.GetValue<string>();
        public string Text => Body?.ToJsonString() ?? "";
    }

    public static async Task<Reply> SendAsync(this HttpClient http, HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is byte[] bytes)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<Reply> GetReplyAsync(this HttpClient http, string path) => http.SendAsync(HttpMethod.Get, path);
    public static Task<Reply> PostReplyAsync(this HttpClient http, string path, object? body, string? key = null) => http.SendAsync(HttpMethod.Post, path, body, key);

    /// <summary>Polls an operation until it is done (with a deadline, never a fixed sleep).</summary>
    public static async Task<JsonNode> WaitAsync(this HttpClient http, JsonNode operation, int seconds = 30)
    {
        var id = operation["id"]!.GetValue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var reply = await http.GetReplyAsync($"/operations/{id}");
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            if (reply.Body!["done"]!.GetValue<bool>())
            {
                return reply.Body;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Operation {id} was not done within {seconds} s: {reply.Text}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Runs a mutation, expects 200, waits for the operation and returns its response.</summary>
    public static async Task<JsonNode> DoneAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        var reply = await http.SendAsync(method, path, body);
        Assert.True(reply.Status == HttpStatusCode.OK, $"{method} {path}: {reply.Status} {reply.Text}");
        var done = await http.WaitAsync(reply.Body!);
        Assert.True(done["error"] is null, $"{method} {path} failed: {done.ToJsonString()}");
        return done["response"]!;
    }

    public static async Task<string> CreateFolderAsync(this HttpClient admin, string? name = null)
    {
        var folder = await admin.DoneAsync(HttpMethod.Post, "/resource-manager/v1/folders", new { name = name ?? Names.Unique("f") });
        return folder["id"]!.GetValue<string>();
    }

    public static async Task GrantAsync(this HttpClient admin, string folderId, string role, string userId)
    {
        await admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId = role, subject = new { id = userId, type = "userAccount" } } } },
        });
    }

    public static async Task SetQuotaAsync(this HttpClient admin, string folderId, string name, long limit)
    {
        var reply = await admin.SendAsync(HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", new { quotas = new[] { new { name, limit } } });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    public static async Task<List<JsonNode>> ListImagesAsync(this HttpClient http, string folderId)
    {
        var reply = await http.GetReplyAsync($"/compute/v1/images?folderId={folderId}&pageSize=1000");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return reply.Body!["images"]!.AsArray().Select(i => i!).ToList();
    }

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();
}

public static class Names
{
    private static int s_counter;

    public static string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref s_counter)}-{Guid.NewGuid().ToString("N")[..8]}";
}

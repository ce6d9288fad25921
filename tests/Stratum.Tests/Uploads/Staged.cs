using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Tests.Infrastructure;
using Stratum.Uploads;

namespace Stratum.Tests.Uploads;

/// <summary>Uploads as a client does them: prepareUpload, then blocks straight to the signed URL.</summary>
public static class Staged
{
    public static async Task<JsonNode> PrepareAsync(this HttpClient http, string folderId, long? size = null)
    {
        var reply = await http.PostReplyAsync("/compute/v1/images:prepareUpload", size is null ? new { folderId } : new { folderId, size });
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return reply.Body!;
    }

    /// <summary>Puts the bytes as blocks of 1 MiB and, unless told not to, commits them.</summary>
    public static async Task PutAsync(string uploadUrl, byte[] bytes, bool commit = true)
    {
        var blob = new BlockBlobClient(new Uri(uploadUrl));
        var ids = new List<string>();
        for (var offset = 0; offset < bytes.Length; offset += 1 << 20)
        {
            var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{ids.Count:D8}"));
            using var block = new MemoryStream(bytes, offset, Math.Min(1 << 20, bytes.Length - offset));
            await blob.StageBlockAsync(id, block);
            ids.Add(id);
        }
        if (commit)
        {
            await blob.CommitBlockListAsync(ids);
        }
    }

    /// <summary>Prepares, uploads and creates; returns the create's finished operation.</summary>
    public static async Task<JsonNode> CreateFromUploadAsync(this HttpClient http, string folderId, byte[] bytes, object? extra = null, bool declareSize = true)
    {
        var target = await http.PrepareAsync(folderId, declareSize ? bytes.Length : null);
        await PutAsync(target.Str("uploadUrl"), bytes);
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["folderId"] = folderId;
        body["uploadId"] = target.Str("uploadId");
        var reply = await http.PostReplyAsync("/compute/v1/images", body.ToJsonString());
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return await http.WaitAsync(reply.Body!);
    }

    public static StagingArea Staging(this StratumCluster stratum) =>
        stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<StagingArea>();

    /// <summary>The HTTP status a request with a signed URL gets (the store's answer, not the gateway's).</summary>
    public static async Task<int> StatusOfAsync(Func<Task> request)
    {
        try
        {
            await request();
            return 200;
        }
        catch (RequestFailedException e)
        {
            return e.Status;
        }
    }

    public static BlobClient Blob(string url) => new(new Uri(url));
}

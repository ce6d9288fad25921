using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratum.Client;

namespace Stratum.LoadTest;

/// <summary>A refused or failed call: its contract code, and whether a retry may succeed.</summary>
public sealed class CallFailedException(string code, bool transient, string message) : Exception(message)
{
    public string Code { get; } = code;
    public bool Transient { get; } = transient;
}

/// <summary>Why one create was not made: its contract code and the service's message.</summary>
public sealed record CallFailure(string Code, string Message);

/// <summary>What the scenarios do, through the HTTP gateway or straight through the Orleans client.</summary>
public interface ITarget : IAsyncDisposable
{
    Task<string> CreateInstanceAsync(string folderId, string family, string name, string idempotencyKey);
    Task<(int Created, IReadOnlyList<CallFailure> Failures)> BulkCreateAsync(string folderId, string family, string namePrefix, int count, string idempotencyKey);
    Task<string> LatestAsync(string folderId, string family);

    /// <summary>Creates an image from another and waits (polling its operation every <see cref="ImagePoll"/>) until it is READY; returns its id.</summary>
    Task<string> CreateImageAsync(string folderId, string sourceImageId, string name, string idempotencyKey);

    /// <summary>How often a creating image's operation is polled: as a script waiting for it would.</summary>
    static readonly TimeSpan ImagePoll = TimeSpan.FromMilliseconds(25);
}

public sealed class GatewayTarget(HttpClient http) : ITarget
{
    public async Task<string> CreateInstanceAsync(string folderId, string family, string name, string idempotencyKey)
    {
        var operation = await SendAsync(HttpMethod.Post, "/compute/v1/instances", new
        {
            folderId, name, bootDiskSpec = new { diskSpec = new { size = 4L << 30, family = new { folderId, name = family } } },
        }, idempotencyKey);
        return operation["response"]!["id"]!.GetValue<string>();
    }

    public async Task<(int Created, IReadOnlyList<CallFailure> Failures)> BulkCreateAsync(string folderId, string family, string namePrefix, int count, string idempotencyKey)
    {
        var operation = await SendAsync(HttpMethod.Post, "/compute/v1/instances:bulkCreate", new
        {
            folderId, count, namePrefix, bootDiskSpec = new { diskSpec = new { size = 4L << 30, family = new { folderId, name = family } } },
        }, idempotencyKey);
        var response = operation["response"]!;
        return (response["instances"]!.AsArray().Count,
            response["failures"]!.AsArray().Select(f => new CallFailure(
                f!["error"]!["code"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture), f["error"]!["message"]?.GetValue<string>() ?? "")).ToList());
    }

    public async Task<string> LatestAsync(string folderId, string family) =>
        (await SendAsync(HttpMethod.Get, $"/compute/v1/images:latestByFamily?folderId={folderId}&family={family}", null, null))["id"]!.GetValue<string>();

    public async Task<string> CreateImageAsync(string folderId, string sourceImageId, string name, string idempotencyKey)
    {
        var operation = await SendAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, name, imageId = sourceImageId }, idempotencyKey);
        while (!operation["done"]!.GetValue<bool>())
        {
            await Task.Delay(ITarget.ImagePoll);
            operation = await SendAsync(HttpMethod.Get, $"/operations/{operation["id"]!.GetValue<string>()}", null, null);
        }
        var image = operation["response"]!;
        return image["status"]!.GetValue<string>() == "READY"
            ? image["id"]!.GetValue<string>()
            : throw new CallFailedException("not-ready", false, $"image {image["id"]} ended {image["status"]}");
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new CallFailedException("network", transient: true, e.Message);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            var json = text.Length > 0 ? JsonNode.Parse(text) : null;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var code = json?["code"]?.GetValue<int>() ?? 0;
                // The summary shows the service's message; the body itself when it is not the API's error shape (a proxy's page).
                var message = json?["message"]?.GetValue<string>() ?? $"{(int)response.StatusCode} {response.ReasonPhrase}: {text}";
                throw new CallFailedException(code.ToString(System.Globalization.CultureInfo.InvariantCulture), code is 10 or 13 or 14 || (int)response.StatusCode >= 500, message);
            }
            if (json?["error"] is { } error)
            {
                var code = error["code"]!.GetValue<int>();
                throw new CallFailedException(code.ToString(System.Globalization.CultureInfo.InvariantCulture), code is 10 or 13 or 14, error["message"]?.GetValue<string>() ?? error.ToJsonString());
            }
            return json!;
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The Orleans-client path through Stratum.Client, acting as the caller of its token: the service
/// account <c>loadtest</c> on a local cluster (a JWT the cluster's key signs), else <c>--client-token</c>.
/// </summary>
public sealed class ClientTarget(IHost host, Caller caller) : ITarget
{
    private IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Who the target acts as, verified by the cluster.</summary>
    public Caller Caller => caller;

    public static async Task<ClientTarget> ConnectAsync(string storage, string clusterId, string token, bool development)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = development ? Environments.Development : null });
        builder.Logging.ClearProviders();
        builder.AddStratumClient(o =>
        {
            o.StorageConnectionString = storage;
            o.ClusterId = clusterId;
            o.Token = token;
            o.ChangeFeed = false;
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ClientTarget(host, await host.Services.GetRequiredService<StratumClient>().WhoAmIAsync());
    }

    public Task<string> CreateInstanceAsync(string folderId, string family, string name, string idempotencyKey) =>
        CallAsync(async () => (await Grains.GetGrain<IComputeGrain>(0).CreateInstanceAsync(Caller,
            new CreateInstanceRequest(folderId, new BootDiskSpec(DiskSpec: new DiskSpec(4L << 30, Family: new FamilyRef(folderId, family))), name), idempotencyKey))
            is { Response: Instance instance } ? instance.Id : throw new CallFailedException("13", false, "no instance in the operation"));

    public Task<(int Created, IReadOnlyList<CallFailure> Failures)> BulkCreateAsync(string folderId, string family, string namePrefix, int count, string idempotencyKey) =>
        CallAsync(async () =>
        {
            var operation = await Grains.GetGrain<IComputeGrain>(0).BulkCreateInstancesAsync(Caller,
                new BulkCreateInstancesRequest(folderId, count, namePrefix, new BootDiskSpec(DiskSpec: new DiskSpec(4L << 30, Family: new FamilyRef(folderId, family)))), idempotencyKey);
            var result = (BulkCreateResult)operation.Response!;
            return (result.Instances.Count, (IReadOnlyList<CallFailure>)result.Failures
                .Select(f => new CallFailure(((int)f.Error.Code).ToString(System.Globalization.CultureInfo.InvariantCulture), f.Error.Message)).ToList());
        });

    public Task<string> LatestAsync(string folderId, string family) =>
        CallAsync(async () => (await Grains.GetGrain<IImageCatalogGrain>(0).GetLatestByFamilyAsync(Caller, folderId, family)).Id);

    public Task<string> CreateImageAsync(string folderId, string sourceImageId, string name, string idempotencyKey) =>
        CallAsync(async () =>
        {
            var operation = await Grains.GetGrain<IImageCatalogGrain>(0).CreateAsync(Caller, new CreateImageRequest(folderId, name, ImageId: sourceImageId), idempotencyKey);
            while (!operation.Done)
            {
                await Task.Delay(ITarget.ImagePoll);
                operation = await Grains.GetGrain<IOperationGrain>(operation.Id).GetAsync(Caller);
            }
            return operation switch
            {
                { Error: { } error } => throw new StratumException(error.Code, error.Message),
                { Response: Image { Status: ImageStatus.Ready } image } => image.Id,
                _ => throw new CallFailedException("not-ready", false, $"operation {operation.Id} ended without a READY image"),
            };
        });

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StratumException e)
        {
            throw new CallFailedException(((int)e.Code).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Code is ErrorCode.Aborted or ErrorCode.Unavailable or ErrorCode.Internal, e.Message);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            throw new CallFailedException("unavailable", transient: true, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

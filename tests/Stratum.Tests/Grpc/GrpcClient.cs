using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;
using Yandex.Cloud.Operation;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Tests.Grpc;

/// <summary>The provider's clients on one channel as one caller, with the waits a test needs.</summary>
public sealed class GrpcClient(GrpcChannel channel, string token)
{
    public ImageService.ImageServiceClient Images { get; } = new(channel);
    public OperationService.OperationServiceClient Operations { get; } = new(channel);
    public Stratum.Grpc.Compute.V1.ImageService.ImageServiceClient StratumImages { get; } = new(channel);
    public Stratum.Grpc.Compute.V1.LayerService.LayerServiceClient Layers { get; } = new(channel);
    public Stratum.Grpc.Compute.V1.FolderService.FolderServiceClient StratumFolders { get; } = new(channel);
    public DiskService.DiskServiceClient Disks { get; } = new(channel);
    public InstanceService.InstanceServiceClient Instances { get; } = new(channel);

    public Metadata Auth(string? idempotencyKey = null) => GrpcFixture.As(token, idempotencyKey);

    /// <summary>Polls the operation until done (deadline, never a fixed sleep) and returns it.</summary>
    public async Task<ProviderOperation> WaitAsync(ProviderOperation operation, int seconds = 30)
    {
        var id = operation.Id;
        return operation.Done ? operation : await Wait.ForAsync(async () => await Operations.GetAsync(new GetOperationRequest { OperationId = id }, Auth()),
            o => o.Done, seconds, o => $"operation {o.Id} not done");
    }

    /// <summary>Runs a mutation to its end and unpacks its response.</summary>
    public async Task<T> DoneAsync<T>(AsyncUnaryCall<ProviderOperation> call) where T : Google.Protobuf.IMessage, new()
    {
        var done = await WaitAsync(await call);
        Assert.True(done.Error is null, $"operation {done.Id} failed: {done.Error}");
        return done.Response.Unpack<T>();
    }

    /// <summary>Imports a small qcow2 served by the test file server into a new image.</summary>
    public Task<Yandex.Cloud.Compute.V1.Image> ImportAsync(FileServer files, string folderId, string? family = null, bool pooled = false, string? name = null)
    {
        var uri = files.Add($"{Names.Unique("disk")}.qcow2", DiskImages.Qcow2(64 * DiskImages.MiB));
        return DoneAsync<Yandex.Cloud.Compute.V1.Image>(Images.CreateAsync(new Yandex.Cloud.Compute.V1.CreateImageRequest
        {
            FolderId = folderId,
            Name = name ?? Names.Unique("img"),
            Family = family ?? "",
            Uri = uri,
            Pooled = pooled,
        }, Auth()));
    }

    /// <summary>The next message of a family watch, within a deadline.</summary>
    public static async Task<Stratum.Grpc.Compute.V1.FamilyLatest> NextAsync(AsyncServerStreamingCall<Stratum.Grpc.Compute.V1.FamilyLatest> call)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token), "the watch ended");
        return call.ResponseStream.Current;
    }

    public static T Unpack<T>(Any any) where T : Google.Protobuf.IMessage, new() => any.Unpack<T>();
}

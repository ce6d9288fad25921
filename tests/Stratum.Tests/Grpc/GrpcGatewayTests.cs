using Grpc.Core;
using Grpc.Health.V1;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;

namespace Stratum.Tests.Grpc;

/// <summary>The gRPC endpoints themselves: TLS with the development CA, plaintext HTTP/2, authentication, error details, health, reflection.</summary>
[Collection(GrpcCollection.Name)]
public sealed class GrpcGatewayTests(GrpcFixture fixture)
{
    [Fact]
    public async Task Tls_with_the_development_ca_and_plaintext_http2_serve_the_same_api()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var image = await new GrpcClient(fixture.Tls, "dev-admin").ImportAsync(fixture.Files, folderId);
        foreach (var channel in new[] { fixture.Tls, fixture.Plaintext })
        {
            var read = await new ImageService.ImageServiceClient(channel).GetAsync(new GetImageRequest { ImageId = image.Id }, GrpcFixture.As("dev-admin"));
            Assert.Equal(image.Id, read.Id);
            Assert.Equal(Yandex.Cloud.Compute.V1.Image.Types.Status.Ready, read.Status);
        }
        Assert.True(File.Exists(fixture.Endpoints.CaPath));
    }

    [Fact]
    public async Task A_channel_that_does_not_trust_the_development_ca_is_refused()
    {
        var otherCa = Directory.CreateTempSubdirectory("stratum-other-ca-").FullName;
        using var authority = Stratum.Gateway.Tls.DevelopmentCertificateAuthority.LoadOrCreate(otherCa);
        using var channel = GrpcFixture.TlsChannel(Path.Combine(otherCa, "ca.pem"), $"https://127.0.0.1:{fixture.Endpoints.TlsPort}");
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await new ImageService.ImageServiceClient(channel).GetAsync(new GetImageRequest { ImageId = "img00000000000000000" }, GrpcFixture.As("dev-admin")));
        // The client never gets to send the call: the server's certificate is not signed by what it trusts.
        Assert.IsType<System.Security.Authentication.AuthenticationException>(e.Status.DebugException?.InnerException);
    }

    [Fact]
    public async Task No_token_or_an_unknown_one_is_unauthenticated_with_status_details()
    {
        var images = new ImageService.ImageServiceClient(fixture.Tls);
        foreach (var metadata in new[] { new Metadata(), GrpcFixture.As("not-a-token") })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await images.GetAsync(new GetImageRequest { ImageId = "img00000000000000000" }, metadata));
            Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
            var status = e.GetRpcStatus();
            Assert.NotNull(status);
            Assert.Equal(16, status!.Code);
            Assert.Equal(e.Status.Detail, status.Message);
            var info = status.GetDetail<Google.Rpc.ErrorInfo>();
            Assert.Equal("UNAUTHENTICATED", info!.Reason);
            Assert.False(string.IsNullOrEmpty(status.GetDetail<Google.Rpc.RequestInfo>()!.RequestId));
        }
    }

    [Fact]
    public async Task Health_reports_serving_without_a_token()
    {
        var health = new Health.HealthClient(fixture.Tls);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_provider_and_stratum_services()
    {
        var reflection = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(fixture.Plaintext);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();
        foreach (var expected in new[]
        {
            "yandex.cloud.compute.v1.ImageService", "yandex.cloud.compute.v1.DiskService", "yandex.cloud.compute.v1.SnapshotService",
            "yandex.cloud.compute.v1.InstanceService", "yandex.cloud.operation.OperationService",
            "stratum.compute.v1.ImageService", "stratum.compute.v1.LayerService", "stratum.compute.v1.FolderService", "grpc.health.v1.Health",
        })
        {
            Assert.Contains(expected, services);
        }
    }
}

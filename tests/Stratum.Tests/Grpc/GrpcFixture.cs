using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stratum.Releases;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Grpc;

/// <summary>
/// A cluster whose gateway serves gRPC over TLS (its own development CA in a temp folder) and
/// plaintext HTTP/2, a file server for imports, and channels that trust only that CA. Scheduled
/// lifecycle changes run on <see cref="Clock"/>, which only tests move (by hours, so schedules
/// the Node suite sets days ahead never come due).
/// </summary>
public sealed class GrpcFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;
    public StratumCluster.GrpcEndpoints Endpoints => Stratum.Grpc!;
    public GrpcChannel Tls { get; private set; } = null!;
    public GrpcChannel Plaintext { get; private set; } = null!;

    /// <summary>The provider's Node SDK suite against this cluster, run once when a test first asks.</summary>
    public Lazy<Task<NodeSdkSuite.Run>> NodeSuite { get; }

    public GrpcFixture() => NodeSuite = new(() => NodeSdkSuite.RunAsync(this));

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync(grpc: true, siloServices: s => s.AddSingleton(new LifecycleClock(Clock)));
        Files = await FileServer.StartAsync();
        Tls = TlsChannel(Endpoints.CaPath, $"https://127.0.0.1:{Endpoints.TlsPort}");
        Plaintext = GrpcChannel.ForAddress($"http://127.0.0.1:{Endpoints.PlaintextPort}");
    }

    /// <summary>A channel that trusts exactly the given CA, as a client given only ca.pem would.</summary>
    public static GrpcChannel TlsChannel(string caPath, string address)
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(caPath);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    public static Metadata As(string token, string? idempotencyKey = null)
    {
        var metadata = new Metadata { { "authorization", $"Bearer {token}" } };
        if (idempotencyKey is not null)
        {
            metadata.Add("idempotency-key", idempotencyKey);
        }
        return metadata;
    }

    public async Task DisposeAsync()
    {
        Tls.Dispose();
        Plaintext.Dispose();
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GrpcCollection : ICollectionFixture<GrpcFixture>
{
    public const string Name = "grpc";
}

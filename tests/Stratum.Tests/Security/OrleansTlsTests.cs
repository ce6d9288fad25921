using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratum.Hosting;
using Stratum.Security;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Security;

/// <summary>
/// Orleans connections with TLS, as the production configuration runs them: a silo on real
/// sockets that accepts only clients (and silos) with a certificate of the cluster's authority,
/// and clients that accept only such a silo.
/// </summary>
public sealed class OrleansTlsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stratum-tls-").FullName;
    private readonly int _gatewayPort = Tools.AzuriteProcess.FreePort();
    private readonly CapturedLogs _logs = new();
    private IHost _silo = null!;
    private OrleansTlsOptions _client = null!;

    public async Task InitializeAsync()
    {
        var (authority, authorityKey) = Authority("Stratum test cluster CA");
        var silo = Issue(authority, authorityKey, "silo");
        _client = Issue(authority, authorityKey, "client");
        var siloPort = Tools.AzuriteProcess.FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(TestCallers.Settings);
        builder.Logging.AddProvider(_logs);
        builder.Services.AddStratumServices(builder.Configuration);
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(siloPort, _gatewayPort);
            orleans.AddStratumMemoryStorage();
            orleans.UseStratumTls(silo);
        });
        _silo = builder.Build();
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        _silo.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_the_cluster_is_served()
    {
        await using var client = await ConnectAsync(tls: _client);
        using (BearerToken.Use("dev-bob"))
        {
            Assert.Equal(Caller.User("bob"), await client.Grains.GetGrain<IIdentityGrain>(0).WhoAmIAsync());
        }
    }

    [Fact]
    public async Task A_client_without_TLS_cannot_connect()
    {
        await AssertRefusedAsync(tls: null);
    }

    [Fact]
    public async Task A_client_whose_certificate_another_authority_signed_cannot_connect()
    {
        var (stranger, strangerKey) = Authority("Someone else's CA");
        var foreign = Issue(stranger, strangerKey, "foreign");
        // It trusts the cluster's authority, so only the silo's refusal of its certificate stands in the way.
        foreign.CertificateAuthorityPath = _client.CertificateAuthorityPath;
        await AssertRefusedAsync(foreign);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_silos_authority_does_not_connect()
    {
        var (stranger, strangerKey) = Authority("A CA the client trusts instead");
        var doubting = new OrleansTlsOptions
        {
            CertificatePath = _client.CertificatePath,
            KeyPath = _client.KeyPath,
            CertificateAuthorityPath = Issue(stranger, strangerKey, "unused").CertificateAuthorityPath,
        };
        await AssertRefusedAsync(doubting);
    }

    [Fact]
    public void TLS_is_on_outside_Development_unless_turned_off_and_needs_a_certificate()
    {
        Assert.True(new OrleansTlsOptions().IsEnabled(development: false));
        Assert.False(new OrleansTlsOptions().IsEnabled(development: true));
        Assert.False(new OrleansTlsOptions { Enabled = false }.IsEnabled(development: false));
        Assert.True(new OrleansTlsOptions { Enabled = true }.IsEnabled(development: true));
        var missing = Assert.Throws<InvalidOperationException>(() => new OrleansTlsOptions().LoadCertificate());
        Assert.Contains("Orleans:Tls:CertificatePath", missing.Message);
    }

    private sealed class Connected(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

        public async ValueTask DisposeAsync()
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException)
            {
                // A client that never connected may not stop cleanly; it is disposed all the same.
            }
            finally
            {
                host.Dispose();
            }
        }
    }

    private async Task<Connected> ConnectAsync(OrleansTlsOptions? tls)
    {
        var (host, connecting) = StartClient(tls);
        var connected = new Connected(host);
        try
        {
            await connecting.WaitAsync(TimeSpan.FromSeconds(30));
            return connected;
        }
        catch
        {
            await connected.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client that tries to connect and call: refused by the TLS handshake of one side (the log says so), it never gets served.</summary>
    private async Task AssertRefusedAsync(OrleansTlsOptions? tls)
    {
        var before = _logs.TlsRefusals;
        var (host, connecting) = StartClient(tls);
        await using var client = new Connected(host);
        await Wait.UntilAsync(() => Task.FromResult(_logs.TlsRefusals > before || connecting.IsCompleted), 20, "a TLS handshake refused");
        Assert.False(connecting.IsCompletedSuccessfully, "the client was served");
        Assert.True(_logs.TlsRefusals > before, string.Join(Environment.NewLine, _logs.Lines));
    }

    /// <summary>Starts a client, and its first call once started (a refused handshake may surface only then).</summary>
    private (IHost Host, Task Connecting) StartClient(OrleansTlsOptions? tls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(_logs);
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(_gatewayPort);
            if (tls is not null)
            {
                client.UseStratumTls(tls);
            }
        });
        var host = builder.Build();
        async Task ConnectAndCallAsync()
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts();
        }
        return (host, ConnectAndCallAsync());
    }

    /// <summary>The log lines of the silo and the clients; a TLS middleware's failed or timed-out handshake is a refusal.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
        private long _tlsRefusals;

        public long TlsRefusals => Interlocked.Read(ref _tlsRefusals);

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                logs._lines.Enqueue($"{category}: {message}");
                if (category.StartsWith("Orleans.Connections.Security", StringComparison.Ordinal) && message.StartsWith("Authentication", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref logs._tlsRefusals);
                }
            }
        }
    }

    private (X509Certificate2 Certificate, ECDsa Key) Authority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)), key);
    }

    /// <summary>A certificate for a silo or a client (server and client authentication), written as PEM files as an operator would.</summary>
    private OrleansTlsOptions Issue(X509Certificate2 authority, ECDsa authorityKey, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        var options = new OrleansTlsOptions
        {
            CertificatePath = Path.Combine(_directory, $"{name}.pem"),
            KeyPath = Path.Combine(_directory, $"{name}-key.pem"),
            CertificateAuthorityPath = Path.Combine(_directory, $"{name}-ca.pem"),
        };
        File.WriteAllText(options.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(options.KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(options.CertificateAuthorityPath, authority.ExportCertificatePem());
        return options;
    }
}

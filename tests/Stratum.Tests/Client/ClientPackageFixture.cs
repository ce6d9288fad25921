using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratum.Client;
using Stratum.LoadTest;
using Stratum.Seed;

namespace Stratum.Tests.Client;

/// <summary>
/// A cluster another process can reach, as the package's users reach one: Azurite, a silo process
/// and a gateway process of this checkout (the load tool's local cluster), with standard-images
/// seeded through Stratum.Client as the platform admin.
/// </summary>
public sealed class ClientPackageFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    /// <summary>The build configuration the tests run in; the silo and the package are that build.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public async Task InitializeAsync()
    {
        Cluster = await LocalCluster.StartAsync(new LoadOptions { Local = true, Silos = 1, Configuration = Configuration, Telemetry = false }, TextWriter.Null);
        await using var admin = await ConnectAsync("dev-admin");
        // As the seed tool does: a CI run lost this fixture (five tests) to one blob write Azurite answered with 500.
        await SeedRetries.Pipeline(attempts: 3, delay: TimeSpan.FromSeconds(1), TextWriter.Null)
            .ExecuteAsync(async _ => await new StandardImages(admin.Stratum.Cluster, await admin.Stratum.WhoAmIAsync(), TextWriter.Null).RunAsync());
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A started host with Stratum.Client set up for this cluster (Development: no TLS), acting with <paramref name="token"/>.</summary>
    public async Task<Connected> ConnectAsync(string? token, Action<StratumClientOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.AddStratumClient(o =>
        {
            o.ClusterId = Cluster.ClusterId;
            o.StorageConnectionString = Cluster.Storage;
            o.Token = token;
            configure?.Invoke(o);
        });
        var connected = new Connected(builder.Build());
        try
        {
            await connected.Host.StartAsync();
            return connected;
        }
        catch
        {
            await connected.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client host that is stopped before it is disposed (a disposed, unstopped Orleans client fails on its timer thread).</summary>
    public sealed class Connected(IHost host) : IAsyncDisposable
    {
        public IHost Host => host;

        public IServiceProvider Services => host.Services;

        public StratumClient Stratum => host.Services.GetRequiredService<StratumClient>();

        public async ValueTask DisposeAsync()
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClientPackageCollection : ICollectionFixture<ClientPackageFixture>
{
    public const string Name = "client package";
}

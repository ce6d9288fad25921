using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Stratum.Changes;
using Stratum.Gateway;
using Stratum.Hosting;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// An in-process Stratum: a test cluster of silos (memory or Azure grain storage), the index and
/// image data on Azurite, and the real HTTP gateway on a loopback port.
/// </summary>
public sealed class StratumCluster : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly List<WebApplication> _extraGateways = [];

    private StratumCluster(InProcessTestCluster cluster, WebApplication gateway, Azurite azurite, string indexTable, IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        Cluster = cluster;
        Gateway = gateway;
        Azurite = azurite;
        IndexTable = indexTable;
        BaseAddress = AddressOf(gateway);
    }

    public InProcessTestCluster Cluster { get; }
    public WebApplication Gateway { get; }
    public Azurite Azurite { get; }
    public string IndexTable { get; }
    public Uri BaseAddress { get; }
    /// <summary>
    /// The test cluster's Orleans client, as another process would use it: its calls act as the
    /// caller whose token is in force (<see cref="TestCallers.ActAs"/>), and only public interfaces serve it.
    /// </summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>A service of the (first) silo: its own counters, so a test measures its cluster's traffic only.</summary>
    public T SiloService<T>() where T : notnull => Cluster.Silos[0].ServiceProvider.GetRequiredService<T>();

    /// <summary>
    /// Grain calls from inside a running silo (trusted, as grain-to-grain calls are): for tests that
    /// reach internal grains such as the data janitor.
    /// </summary>
    public IGrainFactory SiloGrains => Cluster.GetActiveSilos().First().SiloHost.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The blob container of image data, for tests that prove what was (not) stored.</summary>
    public Azure.Storage.Blobs.BlobContainerClient ImageData =>
        new Azure.Storage.Blobs.BlobContainerClient(Azurite.ConnectionString, _settings["Stratum:Storage:ImageContainer"]);

    public HttpClient Http(string? token = "dev-admin")
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        return http;
    }

    /// <summary>The gateway's gRPC endpoints when started with <c>grpc: true</c> (TLS with its own development CA, and plaintext HTTP/2).</summary>
    public GrpcEndpoints? Grpc { get; private init; }

    public sealed record GrpcEndpoints(int TlsPort, int PlaintextPort, string CaDirectory)
    {
        public string CaPath => Path.Combine(CaDirectory, "ca.pem");
    }

    /// <summary>
    /// Starts silos and a gateway. <paramref name="siloServices"/>: services each silo adds after
    /// Stratum's own (a test clock, options); <paramref name="faults"/>: grain state on memory storage
    /// that fails or conflicts where the test says.
    /// </summary>
    public static async Task<StratumCluster> StartAsync(short silos = 1, bool durable = false, IReadOnlyDictionary<string, string?>? extra = null,
        bool azureQueueFeed = false, bool grpc = false, Faults.StorageFaults? faults = null, Action<IServiceCollection>? siloServices = null,
        Action<ISiloBuilder>? silo = null)
    {
        var azurite = await Azurite.InstanceAsync();
        var indexTable = "idx" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Stratum:Storage:ConnectionString"] = azurite.ConnectionString,
            ["Stratum:Storage:IndexTable"] = indexTable,
            ["Stratum:Storage:ImageContainer"] = "img" + Guid.NewGuid().ToString("N")[..12],
            // Grain state of its own too: a test may sweep old records (the janitor) that parallel tests' clusters still use.
            ["Stratum:Storage:GrainStoragePrefix"] = "g" + Guid.NewGuid().ToString("N")[..12],
            ["Stratum:Access:PlatformAdmins:0"] = "userAccount:admin",
            ["Stratum:Import:AllowedHosts:0"] = "127.0.0.1",
            ["Stratum:Import:AllowedHosts:1"] = "localhost",
            ["Stratum:Import:MaxBytes"] = (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stratum:Deployment:Table"] = "cmp" + Guid.NewGuid().ToString("N")[..12],
            // Development's fixed gRPC ports would collide between test gateways: off unless asked for.
            ["Stratum:Grpc:TlsEndpoint"] = "",
            ["Stratum:Grpc:PlaintextEndpoint"] = "",
        };
        GrpcEndpoints? endpoints = null;
        if (grpc)
        {
            endpoints = new GrpcEndpoints(Tools.AzuriteProcess.FreePort(), Tools.AzuriteProcess.FreePort(),
                Directory.CreateTempSubdirectory("stratum-dev-ca-").FullName);
            settings["Stratum:Grpc:TlsEndpoint"] = $"127.0.0.1:{endpoints.TlsPort}";
            settings["Stratum:Grpc:PlaintextEndpoint"] = $"127.0.0.1:{endpoints.PlaintextPort}";
            settings["Stratum:Grpc:DevelopmentCa:Directory"] = endpoints.CaDirectory;
        }
        // Silos and gateways verify tokens alike: the development tokens, and JWTs signed with the tests' key.
        foreach (var (key, value) in TestCallers.Settings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.Services.AddStratumServices(host.Configuration);
            if (faults is not null)
            {
                host.Services.AddSingleton(new Storage.StorageClients(settings["Stratum:Storage:ConnectionString"]!, faults.RequestPolicy));
            }
            siloServices?.Invoke(host.Services);
        });
        var configureSilo = silo;
        builder.ConfigureSilo((_, silo) =>
        {
            if (durable)
            {
                silo.AddStratumAzureStorage();
            }
            else if (faults is not null)
            {
                Faults.FaultInjectingGrainStorage.AddTo(silo, faults);
            }
            else
            {
                silo.AddStratumMemoryStorage();
            }
            if (azureQueueFeed)
            {
                silo.AddStratumAzureChangeFeed();
            }
            else
            {
                silo.AddStratumMemoryChangeFeed();
            }
            configureSilo?.Invoke(silo);
        });
        builder.ConfigureClient(client =>
        {
            if (azureQueueFeed)
            {
                GatewayApp.AddChangeFeed(client, azurite.ConnectionString);
            }
            else
            {
                client.AddMemoryStreams(ChangeFeed.ProviderName);
            }
            client.AddStratumReadYourWrites();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();

        var gateway = await StartGatewayAsync(cluster, settings);
        return new StratumCluster(cluster, gateway, azurite, indexTable, settings) { Grpc = endpoints };
    }

    /// <summary>
    /// Another gateway on the same cluster: its own cache and feed subscription. It shares the test
    /// cluster's one client, and so that client's record of recent writers.
    /// </summary>
    public async Task<(WebApplication App, Uri BaseAddress)> AddGatewayAsync()
    {
        var settings = new Dictionary<string, string?>(_settings) { ["Stratum:Grpc:TlsEndpoint"] = "", ["Stratum:Grpc:PlaintextEndpoint"] = "" };
        var gateway = await StartGatewayAsync(Cluster, settings);
        _extraGateways.Add(gateway);
        return (gateway, AddressOf(gateway));
    }

    private static async Task<WebApplication> StartGatewayAsync(InProcessTestCluster cluster, IReadOnlyDictionary<string, string?> settings)
    {
        var gateway = GatewayApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], web =>
        {
            web.Configuration.AddInMemoryCollection(settings);
            UseClient(web, cluster.Client);
        });
        await gateway.StartAsync();
        return gateway;
    }

    /// <summary>Makes a gateway use the test cluster's client and that client's record of recent writers.</summary>
    public static void UseClient(WebApplicationBuilder web, IClusterClient client)
    {
        web.Services.AddSingleton(client);
        web.Services.AddSingleton<IGrainFactory>(client);
        web.Services.AddSingleton(client.ServiceProvider.GetRequiredService<WriteTracker>());
    }

    private static Uri AddressOf(WebApplication gateway) =>
        new(gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public async ValueTask DisposeAsync()
    {
        foreach (var extra in _extraGateways)
        {
            await extra.StopAsync();
            await extra.DisposeAsync();
        }
        await Gateway.StopAsync();
        await Gateway.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

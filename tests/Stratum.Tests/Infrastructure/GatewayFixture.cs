namespace Stratum.Tests.Infrastructure;

/// <summary>One silo on memory grain storage (index and data on Azurite), the gateway, and a file server, shared by the gateway tests.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync();
        Files = await FileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

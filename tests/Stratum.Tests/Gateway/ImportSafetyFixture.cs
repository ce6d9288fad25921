using System.Globalization;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// A cluster whose imports give up quickly (2 s without a byte, 20 s in all) and may be large
/// (100 GiB, so a source announcing 60 GiB is fetched, not refused up front), with a file server
/// whose sources misbehave on purpose.
/// </summary>
public sealed class ImportSafetyFixture : IAsyncLifetime
{
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);

    public StratumCluster Stratum { get; private set; } = null!;
    public FileServer Files { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stratum = await StratumCluster.StartAsync(extra: new Dictionary<string, string?>
        {
            ["Stratum:Import:IdleTimeout"] = Idle.ToString(),
            ["Stratum:Import:Deadline"] = TimeSpan.FromSeconds(20).ToString(),
            ["Stratum:Import:MaxBytes"] = (100L << 30).ToString(CultureInfo.InvariantCulture),
        });
        Files = await FileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Files.DisposeAsync();
        await Stratum.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ImportSafetyCollection : ICollectionFixture<ImportSafetyFixture>
{
    public const string Name = "import-safety";
}

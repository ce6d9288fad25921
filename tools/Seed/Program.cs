using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratum.Client;
using Stratum.Seed;

// Seeds the standard-images folder of any Stratum cluster, idempotently, through Stratum.Client:
//   dotnet run --project tools/Seed -- [--storage CONN] [--cluster-id ID] [--token TOKEN] [--environment Development]
// as the caller of TOKEN, a platform admin (default dev-admin, a Development cluster's). The
// configuration keys of Stratum.Client work too (Stratum__Client__Token, Orleans__ClusterId, Orleans__Tls__…).
var command = new CommandLine(args);
// A cluster that has just started (the AppHost starts this once the silos run) may reject or time out for a few
// seconds, and storage may fail a write: seeding is tried again (it had exited, and the AppHost's gateway, which
// waits for it, never started).
await SeedRetries.Pipeline(attempts: 12, delay: TimeSpan.FromSeconds(10), Console.Error).ExecuteAsync(async _ => await SeedAsync());

async Task SeedAsync()
{
    // --environment Development for a Development cluster (no TLS on Orleans connections).
    var builder = Host.CreateApplicationBuilder(args);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddStratumClient(o =>
    {
        o.StorageConnectionString = command.Get("--storage") ?? o.StorageConnectionString;
        o.ClusterId = command.Get("--cluster-id") ?? o.ClusterId;
        o.Token = command.Get("--token") ?? o.Token ?? "dev-admin";
        o.ChangeFeed = false;
    });
    using var host = builder.Build();
    await host.StartAsync();
    var stratum = host.Services.GetRequiredService<StratumClient>();
    await new StandardImages(stratum.Cluster, await stratum.WhoAmIAsync(), Console.Out).RunAsync();
    await host.StopAsync();
}

/// <summary>An option from the command line.</summary>
internal sealed class CommandLine(string[] args)
{
    public string? Get(string option)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

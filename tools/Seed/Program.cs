using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Stratum;
using Stratum.Seed;

// Seeds the standard-images folder of any Stratum cluster, idempotently:
//   dotnet run --project tools/Seed -- [--storage CONN] [--cluster-id ID] [--as userAccount:admin]
// (configuration keys Stratum:Storage:ConnectionString and Orleans:ClusterId work too).
var configuration = new CommandLine(args);
var storage = configuration.Get("--storage", "Stratum__Storage__ConnectionString") ?? "UseDevelopmentStorage=true";
var clusterId = configuration.Get("--cluster-id", "Orleans__ClusterId") ?? "stratum-dev";
var subject = (configuration.Get("--as", "Stratum__Seed__As") ?? "userAccount:admin").Split(':', 2);
var admin = subject[0] == "serviceAccount" ? Caller.Service(subject[1]) : Caller.User(subject[1]);

using var host = Host.CreateDefaultBuilder()
    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .UseOrleansClient(client =>
    {
        client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "stratum"; });
        client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(storage));
    })
    .Build();
await host.StartAsync();
await new StandardImages(host.Services.GetRequiredService<IClusterClient>(), admin, Console.Out).RunAsync();
await host.StopAsync();

/// <summary>An option from the command line, else from the environment.</summary>
internal sealed class CommandLine(string[] args)
{
    public string? Get(string option, string environment)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable(environment);
    }
}

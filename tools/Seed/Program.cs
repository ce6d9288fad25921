using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Stratum.Client;
using Stratum.Seed;

// Seeds the standard-images folder of any Stratum cluster, idempotently, through Stratum.Client:
//   dotnet run --project tools/Seed -- [--storage CONN] [--cluster-id ID] [--token TOKEN] [--environment Development]
// as the caller of TOKEN, a platform admin (default dev-admin, a Development cluster's). The
// configuration keys of Stratum.Client work too (Stratum__Client__Token, Orleans__ClusterId, Orleans__Tls__…).
var command = new CommandLine(args);
// A cluster that has just started (the AppHost starts this once the silos run) can for a few seconds still route
// calls to a silo's previous run, which rejects them, or time out: the seeding is idempotent, so it is tried again
// (it had exited, and the AppHost's gateway, which waits for it, never started).
const int attempts = 12;
await new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
{
    ShouldHandle = new PredicateBuilder().Handle<Orleans.Runtime.OrleansException>().Handle<TimeoutException>(),
    MaxRetryAttempts = attempts - 1,
    BackoffType = DelayBackoffType.Constant,
    Delay = TimeSpan.FromSeconds(10),
    OnRetry = retry =>
    {
        Console.Error.WriteLine($"Seeding failed ({retry.Outcome.Exception!.GetType().Name}: {retry.Outcome.Exception.Message}); " +
            $"trying again in {retry.RetryDelay.TotalSeconds:0} s (attempt {retry.AttemptNumber + 1} of {attempts}).");
        return default;
    },
}).Build().ExecuteAsync(async _ => await SeedAsync());

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

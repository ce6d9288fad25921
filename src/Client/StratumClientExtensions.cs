using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Stratum.Changes;
using Stratum.Security;

namespace Stratum.Client;

/// <summary>The one call that connects a .NET service to Stratum.</summary>
public static class StratumClientExtensions
{
    /// <summary>
    /// Adds an Orleans client of the Stratum cluster and <see cref="StratumClient"/>: clustering
    /// through the storage account's membership table, TLS outside Development, the client's own
    /// bearer token on every call, the change feed for the client-side latest cache, and
    /// read-your-writes (a caller's reads skip the caches for a moment after it changed an image).
    /// Options come from configuration first (<see cref="StratumClientOptions.From"/>), then from <paramref name="configure"/>.
    /// </summary>
    public static IHostApplicationBuilder AddStratumClient(this IHostApplicationBuilder builder, Action<StratumClientOptions>? configure = null)
    {
        var options = StratumClientOptions.From(builder.Configuration);
        configure?.Invoke(options);
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.Configure<LatestCacheOptions>(builder.Configuration.GetSection(LatestCacheOptions.Section));
        builder.Services.AddSingleton<LatestCache>();
        builder.Services.AddSingleton<StratumClient>();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(options.StorageConnectionString));
            client.AddStratumChangeFeed(options.StorageConnectionString);
            client.AddStratumReadYourWrites();
            if (options.Token is { Length: > 0 } token)
            {
                client.AddOutgoingGrainCallFilter(new ClientTokenFilter(token));
            }
            if (options.Tls.IsEnabled(development))
            {
                client.UseStratumTls(options.Tls);
            }
        });
        if (options.ChangeFeed)
        {
            builder.Services.AddHostedService<ChangeFeedSubscription>();
        }
        if (options.Token is { Length: > 0 })
        {
            // Once connected: a token the cluster refuses stops the host with that reason, not at the first call.
            builder.Services.AddHostedService<TokenCheck>();
        }
        return builder;
    }

    /// <summary>
    /// The change feed's stream provider for a client of a cluster of silo processes: Azure Queue
    /// streams on the cluster's own queue. <see cref="AddStratumClient"/> adds it; other client setups may too.
    /// </summary>
    public static IClientBuilder AddStratumChangeFeed(this IClientBuilder client, string connectionString) =>
        client.AddAzureQueueStreams(ChangeFeed.ProviderName, (OptionsBuilder<AzureQueueOptions> o) => o.Configure<IOptions<ClusterOptions>>((q, cluster) =>
        {
            q.QueueServiceClient = new QueueServiceClient(connectionString);
            q.QueueNames = [ChangeFeed.QueueName(cluster.Value.ClusterId)];
        }));

    private sealed class TokenCheck(StratumClient stratum) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await stratum.WhoAmIAsync().WaitAsync(cancellationToken);
            }
            catch (StratumException e)
            {
                throw new InvalidOperationException($"Stratum refused this client's token (Stratum:Client:Token): {e.Message}", e);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

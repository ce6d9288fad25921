using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Providers.Streams.AzureQueue;
using Orleans.Streams;
using Stratum.Changes;
using Stratum.Storage;

namespace Stratum.Hosting;

/// <summary>The change feed on a silo: the stream provider, its subscription store, and the silo's own feed grain.</summary>
public static class ChangeFeedHosting
{
    /// <summary>Memory streams: for a cluster in one process (tests, the load tool's in-process runs).</summary>
    public static ISiloBuilder AddStratumMemoryChangeFeed(this ISiloBuilder silo)
    {
        silo.AddMemoryStreams(ChangeFeed.ProviderName, s => s.ConfigurePullingAgent(PollPeriod));
        silo.AddMemoryGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME);
        return silo.AddStratumFeedGrain();
    }

    /// <summary>Azure Queue streams and subscriptions in Azure Table: for a cluster of silo processes.</summary>
    public static ISiloBuilder AddStratumAzureChangeFeed(this ISiloBuilder silo)
    {
        silo.AddAzureQueueStreams(ChangeFeed.ProviderName, (SiloAzureQueueStreamConfigurator s) =>
        {
            s.ConfigureAzureQueue(o => o.Configure<StorageClients, IOptions<ClusterOptions>>((q, clients, cluster) =>
            {
                q.QueueServiceClient = clients.Queues;
                q.QueueNames = [ChangeFeed.QueueName(cluster.Value.ClusterId)];
            }));
            s.ConfigurePullingAgent(PollPeriod);
            // The same Azure Queue adapter, read at full rate only while news flows.
            s.ConfigureComponent<IQueueAdapterFactory>((services, name) => new IdlePollingAdapterFactory(
                AzureQueueAdapterFactory.Create(services, name), services.GetRequiredService<IOptions<ChangeFeedOptions>>().Value, TimeProvider.System));
        });
        silo.AddAzureTableGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME, (OptionsBuilder<AzureTableStorageOptions> options) =>
            options.Configure<StorageClients>((o, clients) =>
            {
                o.TableServiceClient = clients.Tables;
                o.TableName = "grainspubsub";
            }));
        return silo.AddStratumFeedGrain();
    }

    private static void PollPeriod(OptionsBuilder<StreamPullingAgentOptions> agent) =>
        agent.Configure<IOptions<ChangeFeedOptions>>((o, feed) => o.GetQueueMsgsTimerPeriod = feed.Value.PollPeriod);

    private static ISiloBuilder AddStratumFeedGrain(this ISiloBuilder silo) =>
        silo.AddStartupCall("start this silo's change feed", services => services.GetRequiredService<IGrainFactory>()
            .GetGrain<ISiloFeedGrain>(services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()).StartAsync());
}

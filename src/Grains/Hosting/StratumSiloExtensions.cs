using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Stratum.Access;
using Stratum.Changes;
using Stratum.Deployment;
using Stratum.Images;
using Stratum.Import;
using Stratum.Index;
using Stratum.Security;
using Stratum.Storage;

namespace Stratum.Hosting;

/// <summary>Everything a silo needs to host Stratum's grains; the Silo host and the tests share it.</summary>
public static class StratumSiloExtensions
{
    /// <summary>The services behind the grains: storage clients, index, data, import, authorization.</summary>
    public static IServiceCollection AddStratumServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StratumStorageOptions>(configuration.GetSection(StratumStorageOptions.Section));
        services.Configure<AccessOptions>(configuration.GetSection(AccessOptions.Section));
        services.Configure<ImportOptions>(configuration.GetSection(ImportOptions.Section));
        services.Configure<DeploymentOptions>(configuration.GetSection(DeploymentOptions.Section));
        services.AddSingleton<ComputeRows>();
        services.AddSingleton(sp => new StorageClients(sp.GetRequiredService<IOptions<StratumStorageOptions>>().Value.ConnectionString));
        services.AddSingleton<ResourceIndex>();
        services.AddSingleton<ImageData>();
        services.AddSingleton<UriPolicy>();
        services.AddSingleton<UriSources>();
        services.AddSingleton<ImageImporter>();
        services.Configure<Uploads.UploadOptions>(configuration.GetSection(Uploads.UploadOptions.Section));
        services.AddSingleton<Uploads.StagingArea>();
        services.AddSingleton<Authorizer>();
        // Clients act only as the caller of a token verified here, with the gateway's validator.
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<TokenValidator>();
        services.AddSingleton<IIncomingGrainCallFilter, ClientCallGuard>();
        services.Configure<LatestCacheOptions>(configuration.GetSection(LatestCacheOptions.Section));
        services.Configure<ChangeFeedOptions>(configuration.GetSection(ChangeFeedOptions.Section));
        services.AddSingleton<LatestCache>();
        services.AddSingleton<ChangePublisher>();
        services.Configure<Releases.LifecycleOptions>(configuration.GetSection(Releases.LifecycleOptions.Section));
        services.AddSingleton(new Releases.LifecycleClock(TimeProvider.System));
        services.AddSingleton<Releases.FamilyResolver>();
        services.AddSingleton<Diagnostics.StageTimings>();
        return services;
    }

    /// <summary>
    /// Grain storage on Azure (tables for folders, blobs for the kinds that grow in number) and
    /// reminders, all through the process's one set of counted clients.
    /// </summary>
    public static ISiloBuilder AddStratumAzureStorage(this ISiloBuilder silo)
    {
        foreach (var name in StorageNames.Table)
        {
            silo.AddAzureTableGrainStorage(name, (OptionsBuilder<AzureTableStorageOptions> options) => options.Configure<IServiceProvider>((o, sp) =>
            {
                o.TableServiceClient = sp.GetRequiredService<StorageClients>().Tables;
                o.TableName = sp.GetRequiredService<IOptions<StratumStorageOptions>>().Value.GrainTable(name);
                o.GrainStorageSerializer = BinarySerializer(sp);
            }));
        }
        foreach (var name in StorageNames.Blob)
        {
            silo.AddAzureBlobGrainStorage(name, (OptionsBuilder<AzureBlobStorageOptions> options) => options.Configure<IServiceProvider>((o, sp) =>
            {
                o.BlobServiceClient = sp.GetRequiredService<StorageClients>().Blobs;
                o.ContainerName = sp.GetRequiredService<IOptions<StratumStorageOptions>>().Value.GrainContainer(name);
                o.GrainStorageSerializer = BinarySerializer(sp);
            }));
        }
        // A new image's activation reads nothing (NewRecords): the same provider, behind the skip.
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Images,
            (sp, key) => new NewRecordStorage(AzureBlobGrainStorageFactory.Create(sp, (string)key!)));
        silo.UseAzureTableReminderService(options => options.Configure<StorageClients>((o, clients) => o.TableServiceClient = clients.Tables));
        return silo;
    }

    /// <summary>Memory grain storage, for single-process unit tests only: it does not survive a silo.</summary>
    public static ISiloBuilder AddStratumMemoryStorage(this ISiloBuilder silo)
    {
        foreach (var name in StorageNames.Table.Concat(StorageNames.Blob))
        {
            silo.AddMemoryGrainStorage(name);
        }
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Images,
            (sp, key) => new NewRecordStorage(MemoryGrainStorageFactory.Create(sp, (string)key!)));
        silo.UseInMemoryReminderService();
        return silo;
    }

    // Orleans' own binary format: versioned by the [Id]s on every state type, and it keeps the
    // runtime type of polymorphic members such as an operation's response.
    private static IGrainStorageSerializer BinarySerializer(IServiceProvider services) =>
        new OrleansGrainStorageSerializer(services.GetRequiredService<Orleans.Serialization.Serializer>());
}

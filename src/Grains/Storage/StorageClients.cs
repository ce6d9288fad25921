using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Stratum.Storage;

/// <summary>Azure Storage clients that count their requests; one set per silo.</summary>
public sealed class StorageClients
{
    public StorageClients(string connectionString)
    {
        Tables = new TableServiceClient(connectionString, Counted(new TableClientOptions(), "table"));
        Blobs = new BlobServiceClient(connectionString, Counted(new BlobClientOptions(), "blob"));
        Queues = new QueueServiceClient(connectionString, Counted(new QueueClientOptions(), "queue"));
    }

    /// <summary>The requests these clients sent so far, by service.</summary>
    public StorageRequestTotals Requests => _tally.Totals;

    private readonly StorageRequestCounter.Tally _tally = new();

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>Client options that count each request under the given service name.</summary>
    private T Counted<T>(T options, string service) where T : ClientOptions
    {
        options.AddPolicy(new StorageRequestCounter(service, _tally), HttpPipelinePosition.PerRetry);
        return options;
    }
}

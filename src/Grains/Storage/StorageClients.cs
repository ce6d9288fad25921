using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Stratum.Storage;

/// <summary>Azure Storage clients that count their requests; one set per silo.</summary>
public sealed class StorageClients
{
    /// <param name="connectionString">The Azure Storage account.</param>
    /// <param name="extra">A policy every request passes through after it is counted (tests inject faults with it).</param>
    public StorageClients(string connectionString, HttpPipelinePolicy? extra = null)
    {
        _extra = extra;
        Tables = new TableServiceClient(connectionString, Counted(new TableClientOptions(), "table"));
        Blobs = new BlobServiceClient(connectionString, Counted(new BlobClientOptions(), "blob"));
        Queues = new QueueServiceClient(connectionString, Counted(new QueueClientOptions(), "queue"));
    }

    /// <summary>The requests these clients sent so far, by service.</summary>
    public StorageRequestTotals Requests => _tally.Totals;

    private readonly StorageRequestCounter.Tally _tally = new();
    private readonly HttpPipelinePolicy? _extra;

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>Client options that count each request under the given service name.</summary>
    private T Counted<T>(T options, string service) where T : ClientOptions
    {
        options.AddPolicy(new StorageRequestCounter(service, _tally), HttpPipelinePosition.PerRetry);
        if (_extra is not null)
        {
            options.AddPolicy(_extra, HttpPipelinePosition.PerRetry);
        }
        return options;
    }
}

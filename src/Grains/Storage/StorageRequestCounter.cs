using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Stratum.Storage;

/// <summary>
/// Counts every request sent to Azure Storage (tables, blobs, queues), since each one is money in
/// production and the throughput ceiling on Azurite. Exposed as the metric
/// <c>stratum.storage.requests</c> and as totals a test or the load-test tool can read.
/// </summary>
public sealed class StorageRequestCounter : HttpPipelinePolicy
{
    public const string MeterName = "Stratum.Storage";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("stratum.storage.requests", description: "Requests sent to Azure Storage");
    private static long s_table, s_blob, s_queue;

    private readonly string _service;

    public StorageRequestCounter(string service) => _service = service;

    /// <summary>Requests sent by this process so far, by service.</summary>
    public static StorageRequestTotals Totals => new(Interlocked.Read(ref s_table), Interlocked.Read(ref s_blob), Interlocked.Read(ref s_queue));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        switch (_service)
        {
            case "table": Interlocked.Increment(ref s_table); break;
            case "blob": Interlocked.Increment(ref s_blob); break;
            default: Interlocked.Increment(ref s_queue); break;
        }
        Requests.Add(1, new KeyValuePair<string, object?>("service", _service), new KeyValuePair<string, object?>("method", message.Request.Method.Method));
    }
}

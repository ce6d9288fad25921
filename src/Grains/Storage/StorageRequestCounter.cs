using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Stratum.Storage;

/// <summary>
/// Counts every request sent to Azure Storage (tables, blobs, queues), since each one is money in
/// production and the throughput ceiling on Azurite. Exposed as the metric
/// <c>stratum.storage.requests</c> and as the totals of one set of clients (one per silo), which
/// the load-test tool and a test read from that silo alone.
/// </summary>
public sealed class StorageRequestCounter : HttpPipelinePolicy
{
    public const string MeterName = "Stratum.Storage";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("stratum.storage.requests", description: "Requests sent to Azure Storage");

    private readonly string _service;
    private readonly Tally _tally;

    public StorageRequestCounter(string service, Tally tally) => (_service, _tally) = (service, tally);

    /// <summary>The requests of one set of clients, by service.</summary>
    public sealed class Tally
    {
        private long _table, _blob, _queue;

        public StorageRequestTotals Totals => new(Interlocked.Read(ref _table), Interlocked.Read(ref _blob), Interlocked.Read(ref _queue));

        internal void Add(string service)
        {
            switch (service)
            {
                case "table": Interlocked.Increment(ref _table); break;
                case "blob": Interlocked.Increment(ref _blob); break;
                default: Interlocked.Increment(ref _queue); break;
            }
        }
    }

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
        _tally.Add(_service);
        Requests.Add(1, new KeyValuePair<string, object?>("service", _service), new KeyValuePair<string, object?>("method", message.Request.Method.Method));
    }
}

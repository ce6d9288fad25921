using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Stratum.Storage;

/// <summary>
/// Counts every request sent to Azure Storage (tables, blobs, queues), since each one is money in
/// production and the throughput ceiling on Azurite. Exposed as the metric
/// <c>stratum.storage.requests</c> (by service and method) and as the totals of one set of clients
/// (one per silo), which the load-test tool and a test read from that silo alone.
/// </summary>
/// <remarks>
/// Pre-aggregated: a request is two interlocked adds (its process-wide (service, method) cell and
/// its clients' tally); the metric is an observable counter read from the cells only when an
/// exporter collects, so an uncollected metric costs nothing on the hot path.
/// </remarks>
public sealed class StorageRequestCounter : HttpPipelinePolicy
{
    public const string MeterName = "Stratum.Storage";
    public const string InstrumentName = "stratum.storage.requests";

    private static readonly string[] Services = ["table", "blob", "queue"];
    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "MERGE", "PATCH", "OTHER"];
    private static readonly long[] Cells = new long[Services.Length * Methods.Length];
    // The meter keeps its instrument; the cells above must exist before it is observed.
    private static readonly Meter Meter = CreateMeter();

    private readonly int _service;
    private readonly Tally _tally;

    public StorageRequestCounter(string service, Tally tally)
    {
        _service = Array.IndexOf(Services, service) is var index and >= 0 ? index : Array.IndexOf(Services, "queue");
        _tally = tally;
    }

    /// <summary>The requests of one set of clients, by service.</summary>
    public sealed class Tally
    {
        private readonly long[] _byService = new long[Services.Length];

        public StorageRequestTotals Totals => new(Interlocked.Read(ref _byService[0]), Interlocked.Read(ref _byService[1]), Interlocked.Read(ref _byService[2]));

        internal void Add(int service) => Interlocked.Increment(ref _byService[service]);
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
        var method = message.Request.Method.Method switch
        {
            "GET" => 0,
            "PUT" => 1,
            "POST" => 2,
            "DELETE" => 3,
            "HEAD" => 4,
            "MERGE" => 5,
            "PATCH" => 6,
            _ => 7,
        };
        Interlocked.Increment(ref Cells[_service * Methods.Length + method]);
        _tally.Add(_service);
    }

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName);
        meter.CreateObservableCounter(InstrumentName, Observe, description: "Requests sent to Azure Storage");
        return meter;
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        for (var cell = 0; cell < Cells.Length; cell++)
        {
            if (Interlocked.Read(ref Cells[cell]) is var count and > 0)
            {
                yield return new Measurement<long>(count,
                    new KeyValuePair<string, object?>("service", Services[cell / Methods.Length]),
                    new KeyValuePair<string, object?>("method", Methods[cell % Methods.Length]));
            }
        }
    }
}

using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Stratum.Storage;

/// <summary>
/// Counts every request sent to Azure Storage (tables, blobs, queues), since each one is money in
/// production and the throughput ceiling on Azurite. Exposed as the metric
/// <c>stratum.storage.requests</c> (by service and method) and as totals a test or the load-test
/// tool can read. Pre-aggregated: a request is one interlocked add to its (service, method) cell,
/// and the metric is an observable counter read from those cells only when an exporter collects.
/// </summary>
public sealed class StorageRequestCounter : HttpPipelinePolicy
{
    public const string MeterName = "Stratum.Storage";
    public const string InstrumentName = "stratum.storage.requests";

    private static readonly string[] Services = ["table", "blob", "queue"];
    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "MERGE", "PATCH", "OTHER"];
    private static readonly long[] s_counts = new long[Services.Length * Methods.Length];
    // The meter keeps its instrument; the counts above must exist before it is observed.
    private static readonly Meter Meter = CreateMeter();

    private readonly int _service;

    public StorageRequestCounter(string service)
    {
        _service = Array.IndexOf(Services, service) is var index and >= 0 ? index : Array.IndexOf(Services, "queue");
    }

    /// <summary>Requests sent by this process so far, by service.</summary>
    public static StorageRequestTotals Totals => new(Sum(0), Sum(1), Sum(2));

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
        Interlocked.Increment(ref s_counts[_service * Methods.Length + method]);
    }

    private static long Sum(int service)
    {
        var sum = 0L;
        for (var method = 0; method < Methods.Length; method++)
        {
            sum += Interlocked.Read(ref s_counts[service * Methods.Length + method]);
        }
        return sum;
    }

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName);
        meter.CreateObservableCounter(InstrumentName, Observe, description: "Requests sent to Azure Storage");
        return meter;
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        for (var cell = 0; cell < s_counts.Length; cell++)
        {
            if (Interlocked.Read(ref s_counts[cell]) is var count and > 0)
            {
                yield return new Measurement<long>(count,
                    new KeyValuePair<string, object?>("service", Services[cell / Methods.Length]),
                    new KeyValuePair<string, object?>("method", Methods[cell % Methods.Length]));
            }
        }
    }
}

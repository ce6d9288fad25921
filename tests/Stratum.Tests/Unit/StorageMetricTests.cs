using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using Stratum.Storage;

namespace Stratum.Tests.Unit;

/// <summary>The storage-request metric costs a request one add: nothing reaches a listener until it collects.</summary>
public sealed class StorageMetricTests
{
    [Fact]
    public async Task Requests_are_counted_in_place_and_reported_only_when_collected()
    {
        var immediate = 0;
        var collected = new List<(long Value, string? Service, string? Method)>();
        var collecting = false;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageRequestCounter.MeterName)
            {
                Assert.IsType<ObservableCounter<long>>(instrument);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (!collecting)
            {
                Interlocked.Increment(ref immediate);
                return;
            }
            string? service = null, method = null;
            foreach (var tag in tags)
            {
                service = tag.Key == "service" ? tag.Value as string : service;
                method = tag.Key == "method" ? tag.Value as string : method;
            }
            lock (collected)
            {
                collected.Add((value, service, method));
            }
        });
        listener.Start();

        var tally = new StorageRequestCounter.Tally();
        var pipeline = HttpPipelineBuilder.Build(new Options(), new StorageRequestCounter("blob", tally));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Head;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:1/devstoreaccount1/container/blob"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await pipeline.SendAsync(message, CancellationToken.None));

        Assert.Equal(0, immediate);
        Assert.True(tally.Totals.Blob >= 1, "the clients' own tally counts the request too");
        collecting = true;
        listener.RecordObservableInstruments();
        Assert.Contains(collected, c => c is { Service: "blob", Method: "HEAD", Value: >= 1 });
    }

    private sealed class Options : ClientOptions
    {
        public Options()
        {
            Retry.MaxRetries = 0;
        }
    }
}

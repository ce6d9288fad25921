using System.Diagnostics;
using OpenTelemetry;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// An exporter that keeps the spans it is handed, readable at any moment. A tracer provider in the test process
/// listens process-wide (HttpClient and ASP.NET Core instrumentation hear every test's requests), so spans
/// arrive from other threads while a test reads: a plain list given to the in-memory exporter threw
/// "Collection was modified" in CI.
/// </summary>
public sealed class CollectedSpans : BaseExporter<Activity>
{
    private readonly List<Activity> _spans = [];

    /// <summary>A copy of the spans exported so far that match <paramref name="ours"/>.</summary>
    public List<Activity> Where(Func<Activity, bool> ours)
    {
        lock (_spans)
        {
            return _spans.Where(ours).ToList();
        }
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_spans)
        {
            foreach (var span in batch)
            {
                _spans.Add(span);
            }
        }
        return ExportResult.Success;
    }
}

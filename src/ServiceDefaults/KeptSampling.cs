using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Head sampling by ratio that still keeps every failed or slow request: a root span the ratio
/// does not pick is recorded but not marked for export, and <see cref="KeepFailedAndSlow"/> marks
/// it when it ends in an error or late. Children of an unpicked root are dropped, so a busy hot
/// path pays for one unexported span per request, not for a trace.
/// </summary>
internal sealed class RecordUnpicked(double ratio) : Sampler
{
    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        _ratio.ShouldSample(parameters).Decision == SamplingDecision.RecordAndSample
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.RecordOnly);
}

/// <summary>Marks for export the recorded spans that failed (an error status, a 5xx) or took at least <c>slow</c>.</summary>
internal sealed class KeepFailedAndSlow(TimeSpan slow) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        if (activity.Recorded)
        {
            return;
        }
        var failed = activity.Status == ActivityStatusCode.Error
            || activity.GetTagItem("http.response.status_code") is int status && status >= 500;
        if (failed || activity.Duration >= slow)
        {
            activity.ActivityTraceFlags |= ActivityTraceFlags.Recorded;
        }
    }
}

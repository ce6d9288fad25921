using System.Diagnostics;
using System.Threading.RateLimiting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Head sampling by ratio, at most <c>maxPerSecond</c> traces started each second (0: no limit),
/// that still keeps every failed or slow request. A request (a server span)
/// the ratio does not pick is not recorded at all: its span only carries the trace context on, so
/// the hot path pays for no tags, and <see cref="KeptRequests"/> starts a span of its own for it
/// afterwards if it failed or was slow (tagged <see cref="KeptRequests.Tag"/>, which this sampler
/// always takes). Any other span the ratio does not pick is recorded but not marked for export,
/// and <see cref="KeepFailedAndSlow"/> marks it when it ends in an error or late.
/// </summary>
internal sealed class RatioKeepingFailures(double ratio, int maxPerSecond) : Sampler
{
    private static readonly SamplingResult Sampled = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Unsampled = new(SamplingDecision.Drop);
    private static readonly SamplingResult RecordedOnly = new(SamplingDecision.RecordOnly);
    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    // Asked only for the traces the ratio picked: a few per second, so its lock costs nothing.
    private readonly TokenBucketRateLimiter? _limit = maxPerSecond <= 0 ? null : new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = maxPerSecond,
        TokensPerPeriod = maxPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
    });

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (parameters.Tags is { } tags && tags.Any(tag => tag.Key == KeptRequests.Tag))
        {
            return Sampled;
        }
        if (_ratio.ShouldSample(parameters).Decision == SamplingDecision.RecordAndSample && WithinLimit())
        {
            return Sampled;
        }
        return parameters.Kind == ActivityKind.Server ? Unsampled : RecordedOnly;
    }

    private bool WithinLimit()
    {
        if (_limit is null)
        {
            return true;
        }
        using var lease = _limit.AttemptAcquire();
        return lease.IsAcquired;
    }
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

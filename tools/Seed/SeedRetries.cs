using Polly;
using Polly.Retry;

namespace Stratum.Seed;

/// <summary>
/// What seeding tries again, as the seed tool and the test fixtures seed alike. A cluster that has just started can
/// for a few seconds still route calls to a silo's previous run, which rejects them (<see cref="Orleans.Runtime.OrleansException"/>),
/// or time out; and storage can fail one write (Azurite answered a blob write of an idempotency claim with 500 once
/// in a CI run), which the grains report as <see cref="ErrorCode.Unavailable"/>, "retry". Seeding is idempotent
/// (its creates carry Idempotency-Keys, what exists is kept), so every attempt may start over.
/// </summary>
public static class SeedRetries
{
    public static ResiliencePipeline Pipeline(int attempts, TimeSpan delay, TextWriter log) =>
        new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<Orleans.Runtime.OrleansException>()
                .Handle<TimeoutException>()
                .Handle<StratumException>(e => e.Code == ErrorCode.Unavailable),
            MaxRetryAttempts = attempts - 1,
            BackoffType = DelayBackoffType.Constant,
            Delay = delay,
            OnRetry = retry =>
            {
                log.WriteLine($"Seeding failed ({retry.Outcome.Exception!.GetType().Name}: {retry.Outcome.Exception.Message}); " +
                    $"trying again in {retry.RetryDelay.TotalSeconds:0} s (attempt {retry.AttemptNumber + 2} of {attempts}).");
                return default;
            },
        }).Build();
}

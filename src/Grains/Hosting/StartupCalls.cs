using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Stratum.Hosting;

/// <summary>
/// Grain calls a silo makes as it starts, tried again until they hold. A startup task that throws stops the silo,
/// and right after a silo restarts on the endpoint of its previous run (killed, or stopped before it could record
/// it) that run is still listed as active for a few seconds: the grain directory and the reminder ring route calls
/// to it, and it rejects them ("The target silo is no longer active"). A silo of the AppHost crashed on start so.
/// </summary>
public static class StartupCalls
{
    /// <summary>Makes the call as part of starting: the silo starts once it has held (or stops trying when start-up is cancelled).</summary>
    public static ISiloBuilder AddStartupCall(this ISiloBuilder silo, string what, Func<IServiceProvider, Task> call) =>
        silo.AddStartupTask((services, starting) => KeepTryingAsync(() => call(services), what, Logger(services), TimeSpan.FromSeconds(1), starting));

    /// <summary>Makes the call in the background, not holding up the start; it stops trying when the silo stops.</summary>
    public static ISiloBuilder AddBackgroundStartupCall(this ISiloBuilder silo, string what, Func<IServiceProvider, Task> call) =>
        silo.AddStartupTask((services, starting) =>
        {
            var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = KeepTryingAsync(() => call(services), what, Logger(services), TimeSpan.FromSeconds(1), stopping);
            return Task.CompletedTask;
        });

    /// <summary>Calls <paramref name="call"/> until it succeeds, waiting twice as long after each failure (at most a minute).</summary>
    internal static async Task KeepTryingAsync(Func<Task> call, string what, ILogger logger, TimeSpan firstDelay, CancellationToken stopping)
    {
        var untilItHolds = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !stopping.IsCancellationRequested),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = firstDelay,
            MaxDelay = TimeSpan.FromMinutes(1),
            OnRetry = retry =>
            {
                logger.LogWarning(retry.Outcome.Exception, "Could not {What} as the silo started; trying again in {Delay}", what, retry.RetryDelay);
                return default;
            },
        }).Build();
        try
        {
            await untilItHolds.ExecuteAsync(async _ => await call(), stopping);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping: what was not done is not needed any more.
        }
    }

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupCalls));
}

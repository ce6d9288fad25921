using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stratum.Deployment;

/// <summary>
/// Registers the data janitor's reminder when a silo starts, in the background and until it holds. A startup task
/// that throws stops the silo, and right after a silo restarts on the endpoint of its previous run (killed, or stopped
/// after storage was already gone, so that run is still listed as active) the reminder service can route the
/// registration to that dead run, which rejects it until membership has declared it dead: a silo had crashed on start.
/// </summary>
public static class DataJanitorSchedule
{
    /// <summary>Starts the registration and returns at once; it stops trying when the silo stops.</summary>
    public static Task StartAsync(IServiceProvider services)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DataJanitorSchedule));
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _ = KeepTryingAsync(() => grains.GetGrain<IDataJanitorGrain>(0).ScheduleAsync(), logger, TimeSpan.FromSeconds(1), stopping);
        return Task.CompletedTask;
    }

    /// <summary>Calls <paramref name="schedule"/> until it succeeds, waiting twice as long after each failure (at most a minute).</summary>
    internal static async Task KeepTryingAsync(Func<Task> schedule, ILogger logger, TimeSpan firstDelay, CancellationToken stopping)
    {
        for (var delay = firstDelay; !stopping.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks)))
        {
            try
            {
                await schedule();
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not register the data janitor's reminder; trying again in {Delay}", delay);
            }
            try
            {
                await Task.Delay(delay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Stratum.Hosting;

namespace Stratum.Tests.Unit;

/// <summary>
/// A silo's start-up calls are tried again until they hold: a call rejected while the silo's previous run is still
/// listed (it had crashed the silo on start) is made again, and the trying ends when the silo stops.
/// </summary>
public sealed class StartupCallsTests
{
    [Fact]
    public async Task A_rejected_registration_is_tried_again_until_it_holds()
    {
        var calls = 0;
        Task Schedule() => ++calls < 3
            ? throw new Orleans.Runtime.OrleansException("The target silo is no longer active (a rejection, as a restarted silo met)")
            : Task.CompletedTask;

        await StartupCalls.KeepTryingAsync(Schedule, "schedule", NullLogger.Instance, TimeSpan.FromMilliseconds(10), CancellationToken.None);

        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task The_trying_ends_when_the_silo_stops()
    {
        using var stopping = new CancellationTokenSource();
        var calls = 0;
        Task Schedule()
        {
            if (++calls == 2)
            {
                stopping.Cancel();
            }
            throw new InvalidOperationException("storage is gone");
        }

        await StartupCalls.KeepTryingAsync(Schedule, "schedule", NullLogger.Instance, TimeSpan.FromMilliseconds(10), stopping.Token);

        Assert.Equal(2, calls);
    }
}

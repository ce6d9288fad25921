using Stratum.Images;

namespace Stratum.Deployment;

/// <summary>
/// Removes data copies that no resource owns: a copy is made for a standard-image disk (or a
/// snapshot) before its row commits, so a crash or a refusal in between can leave one behind.
/// Runs on a reminder; a copy younger than the grace period may still be on its way to a commit.
/// </summary>
[Alias("Stratum.IDataJanitorGrain")]
public interface IDataJanitorGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder (idempotent).</summary>
    [Alias("Schedule")] Task ScheduleAsync();

    /// <summary>Deletes unowned copies older than <paramref name="grace"/>; returns how many.</summary>
    [Alias("Sweep")] Task<int> SweepAsync(TimeSpan grace);
}

public sealed class DataJanitorGrain(ImageData data, ComputeRows rows) : Grain, IDataJanitorGrain, IRemindable
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(30);

    Task IDataJanitorGrain.ScheduleAsync() => this.RegisterOrUpdateReminder("sweep", Period, Period);

    async Task<int> IDataJanitorGrain.SweepAsync(TimeSpan grace)
    {
        var deleted = 0;
        await foreach (var (name, lastModified) in data.CopiesAsync())
        {
            var owner = name[..name.IndexOf('.', StringComparison.Ordinal)];
            if (lastModified < DateTimeOffset.UtcNow - grace && (await rows.GetAsync(owner))?.GetString("DataBlob") != name)
            {
                await data.DeleteAsync(name);
                deleted++;
            }
        }
        return deleted;
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => ((IDataJanitorGrain)this).SweepAsync(Grace);
}

using Azure;
using Stratum.Images;

namespace Stratum.Deployment;

/// <summary>
/// Removes data copies that no resource owns: a copy is made for a standard-image disk (or a
/// snapshot) before its row commits, so a crash or a refusal in between can leave one behind.
/// Runs on a reminder; a copy younger than the grace period may still be on its way to a commit.
/// On the same reminder it removes the compute shards' idempotency claim rows older than
/// <see cref="Operations.Idempotency.Window"/>, so a key there expires as it does everywhere else.
/// </summary>
[Alias("Stratum.IDataJanitorGrain")]
public interface IDataJanitorGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder (idempotent).</summary>
    [Alias("Schedule")] Task ScheduleAsync();

    /// <summary>Deletes unowned copies older than <paramref name="grace"/>; returns how many.</summary>
    [Alias("Sweep")] Task<int> SweepAsync(TimeSpan grace);

    /// <summary>Deletes the compute shards' idempotency claim rows older than <paramref name="window"/>; returns how many.</summary>
    [Alias("SweepClaims")] Task<int> SweepClaimsAsync(TimeSpan window);
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

    async Task<int> IDataJanitorGrain.SweepClaimsAsync(TimeSpan window)
    {
        var deleted = 0;
        await foreach (var claim in rows.ClaimsBeforeAsync(DateTimeOffset.UtcNow - window))
        {
            try
            {
                // Only the claim as read: a claim is never rewritten, but a key used again after an
                // earlier sweep writes a new row under the same key.
                await rows.Table.DeleteEntityAsync(claim.PartitionKey, claim.RowKey, claim.ETag);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone or claimed anew meanwhile.
            }
        }
        return deleted;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await ((IDataJanitorGrain)this).SweepAsync(Grace);
        await ((IDataJanitorGrain)this).SweepClaimsAsync(Operations.Idempotency.Window);
    }
}

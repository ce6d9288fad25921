using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Stratum.Images;
using Stratum.Storage;

namespace Stratum.Deployment;

/// <summary>
/// Removes data copies that no resource owns: a copy is made for a standard-image disk (or a
/// snapshot) before its row commits, so a crash or a refusal in between can leave one behind.
/// Runs on a reminder; a copy younger than the grace period may still be on its way to a commit.
/// On the same reminder it removes the Idempotency-Key records older than
/// <see cref="Operations.Idempotency.Window"/>: the compute shards' claim rows and the idempotency
/// grains' records (every other mutation's keys). Past the window a key answers as new anyway; the
/// sweep is what keeps storage from growing with every key ever sent.
/// </summary>
[Alias("Stratum.IDataJanitorGrain")]
public interface IDataJanitorGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder (idempotent).</summary>
    [Alias("Schedule")] Task ScheduleAsync();

    /// <summary>Deletes unowned copies older than <paramref name="grace"/>; returns how many.</summary>
    [Alias("Sweep")] Task<int> SweepAsync(TimeSpan grace);

    /// <summary>Deletes the Idempotency-Key records (compute claim rows, idempotency grains' records) last written more than <paramref name="window"/> ago; returns how many.</summary>
    [Alias("SweepClaims")] Task<int> SweepClaimsAsync(TimeSpan window);
}

public sealed class DataJanitorGrain(ImageData data, ComputeRows rows, StorageClients clients, IOptions<StratumStorageOptions> storage)
    : Grain, IDataJanitorGrain, IRemindable
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
        var before = DateTimeOffset.UtcNow - window;
        return await SweepClaimRowsAsync(before) + await SweepKeyRecordsAsync(before);
    }

    private async Task<int> SweepClaimRowsAsync(DateTimeOffset before)
    {
        var deleted = 0;
        await foreach (var claim in rows.ClaimsBeforeAsync(before))
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

    /// <summary>
    /// The idempotency grains' records: a blob each, written once when its key is claimed (or
    /// claimed anew after the window), so its last-modified time is the claim's. Deleted only as
    /// listed: a key claimed anew since has another ETag. A grain still active over a deleted
    /// record meets an ETag conflict on its next write and reads the record again (none: a new key).
    /// </summary>
    private async Task<int> SweepKeyRecordsAsync(DateTimeOffset before)
    {
        var container = clients.Blobs.GetBlobContainerClient(storage.Value.GrainContainer(StorageNames.Idempotency));
        var deleted = 0;
        try
        {
            await foreach (var record in container.GetBlobsAsync())
            {
                if (record.Properties.LastModified is not { } written || written >= before)
                {
                    continue;
                }
                try
                {
                    await container.DeleteBlobAsync(record.Name, conditions: new BlobRequestConditions { IfMatch = record.Properties.ETag });
                    deleted++;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    // Gone or claimed anew meanwhile.
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No key was ever stored: the container is made with the first record.
        }
        return deleted;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await ((IDataJanitorGrain)this).SweepAsync(Grace);
        await ((IDataJanitorGrain)this).SweepClaimsAsync(Operations.Idempotency.Window);
    }
}

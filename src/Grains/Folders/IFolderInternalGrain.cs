namespace Stratum.Folders;

/// <summary>What other grains ask of a folder; not part of the public contract.</summary>
[Alias("Stratum.IFolderInternalGrain")]
public interface IFolderInternalGrain : IGrainWithStringKey
{
    /// <summary>Creates the folder's record (idempotent for the same operation).</summary>
    [Alias("Initialize")] Task<Folder> InitializeAsync(CreateFolderRequest request, string operationId);

    /// <summary>How long a deleted image stays in the folder's recycle bin; 0 when it keeps none.</summary>
    [Alias("GetRecycleBinHours"), AlwaysInterleave] Task<int> GetRecycleBinHoursAsync();

    /// <summary>Whether the folder exists and its bindings, for the authorizer.</summary>
    /// <remarks>Interleaves: it only reads, and a grain this folder awaits may be asking.</remarks>
    [Alias("GetAccess"), AlwaysInterleave] Task<FolderAccess> GetAccessAsync();

    /// <summary>
    /// Takes quota (positive amounts) or gives it back (negative), all or nothing. A change is
    /// applied once per token, so a retried call does not count twice.
    /// </summary>
    /// <remarks>Interleaves only to queue the change: the folder stores queued changes together, one write at a time.</remarks>
    [Alias("ChangeUsage"), AlwaysInterleave] Task ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas);

    /// <summary>
    /// Sets the compute.images.size bytes reserved for the import of image <paramref name="imageId"/>
    /// to <paramref name="bytes"/> (a reservation is replaced, so a retry takes nothing twice),
    /// refusing with code 8 when the limit has no room, or with <paramref name="upToLimit"/>
    /// reserving what room there is. Returns the bytes reserved.
    /// </summary>
    [Alias("ReserveImport")] Task<long> ReserveImportAsync(string imageId, long bytes, bool upToLimit);

    /// <summary>
    /// Ends the import reservation of image <paramref name="imageId"/>: <paramref name="keep"/> bytes
    /// become the image's usage, the rest is given back. Without a reservation it changes nothing,
    /// so it may be repeated.
    /// </summary>
    [Alias("SettleImport")] Task SettleImportAsync(string imageId, long keep);

    /// <summary>How many deployment shards this folder uses; fixed the first time it is asked.</summary>
    [Alias("GetDeploymentShards")] Task<int> GetDeploymentShardsAsync(int proposed);

    /// <summary>
    /// Raises a deployment shard's allowance of compute quotas to at least <paramref name="need"/>
    /// (and up to <paramref name="want"/> where the limits leave room), so the allowances of all
    /// shards never add up past a limit. Where a limit is reached it grants less, and names the
    /// other shards holding allowance, which the asking shard may have trim theirs before asking again.
    /// </summary>
    /// <remarks>
    /// Does not interleave. Raises sharing writes (interleaving to queue, as usage changes do) let
    /// concurrent bulk creates pass an instance quota (86 of 40) although every raise was decided on
    /// the stored allowances: the shards' trims and lowerings assume raises take turns with them.
    /// </remarks>
    [Alias("RaiseAllowance")]
    Task<AllowanceGrant> RaiseAllowanceAsync(int shard, Dictionary<string, long> need, Dictionary<string, long> want);

    /// <summary>Lowers a shard's allowance to what it has committed, freeing the rest for other shards; nothing in a deleted folder.</summary>
    [Alias("LowerAllowance")] Task LowerAllowanceAsync(int shard, Dictionary<string, long> committed);

    /// <summary>A quota's limit and usage (committed, as GET quotas shows it), for a refusal's message.</summary>
    [Alias("GetQuota"), AlwaysInterleave] Task<Quota> GetQuotaAsync(string name);

    /// <summary>A shard's current allowance.</summary>
    [Alias("GetAllowance"), AlwaysInterleave] Task<Dictionary<string, long>> GetAllowanceAsync(int shard);
}

[GenerateSerializer, Immutable, Alias("Stratum.FolderAccess")]
public sealed record FolderAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] IReadOnlyList<AccessBinding> Bindings)
{
    public static readonly FolderAccess Missing = new(false, []);
}

/// <summary>A shard's allowance after a raise, whether it covers the need, and which other shards hold allowance that could be trimmed.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.AllowanceGrant")]
public sealed record AllowanceGrant(
    [property: Id(0)] Dictionary<string, long> Allowance,
    [property: Id(1)] bool Met,
    [property: Id(2)] IReadOnlyList<int> Holders);

[GenerateSerializer, Immutable, Alias("Stratum.QuotaDelta")]
public sealed record QuotaDelta(
    [property: Id(0)] string Name,
    [property: Id(1)] long Amount);

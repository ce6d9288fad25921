using Microsoft.Extensions.DependencyInjection;

namespace Stratum.Operations;

/// <summary>
/// Remembers which operation an <c>Idempotency-Key</c> started, keyed by a hash of subject and key.
/// </summary>
[Alias("Stratum.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Claims the key for a request (by its fingerprint) and proposed ids; returns the ids that
    /// hold, which are the first claim's when the key was used before within the window.
    /// </summary>
    [Alias("Claim")] Task<IdempotencyClaim> ClaimAsync(string fingerprint, string operationId, string resourceId);
}

[GenerateSerializer, Immutable, Alias("Stratum.IdempotencyClaim")]
public sealed record IdempotencyClaim(
    [property: Id(0)] string OperationId,
    [property: Id(1)] string ResourceId,
    [property: Id(2)] bool IsNew);

[GenerateSerializer, Alias("Stratum.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public string OperationId { get; set; } = "";
    [Id(2)] public string ResourceId { get; set; } = "";
    [Id(3)] public DateTimeOffset ClaimedAt { get; set; }
}

/// <remarks>
/// Nearly every key is new, so its claim is written without being read first (<see cref="Storage.ReadOnConflictState{T}"/>):
/// a key used before fails that create-only write, and the claim is decided on the stored one.
/// </remarks>
public sealed class IdempotencyGrain(Orleans.Serialization.DeepCopier<IdempotencyState> copier) : Grain, IIdempotencyGrain
{
    private Storage.StoredState<IdempotencyState>? _claim;

    private Storage.StoredState<IdempotencyState> Claim => _claim ??= new(new Storage.ReadOnConflictState<IdempotencyState>(
        ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Idempotency), "claim", this.GetGrainId()), copier);

    async Task<IdempotencyClaim> IIdempotencyGrain.ClaimAsync(string fingerprint, string operationId, string resourceId)
    {
        IdempotencyClaim? claim = null;
        // Decided on the stored claim: after a conflict, on the claim another activation stored first.
        await Claim.ChangeAsync(current =>
        {
            if (current.Fingerprint is not null && DateTimeOffset.UtcNow - current.ClaimedAt < Idempotency.Window)
            {
                if (current.Fingerprint != fingerprint)
                {
                    throw new StratumException(ErrorCode.Aborted, Idempotency.ReusedKey);
                }
                claim = new IdempotencyClaim(current.OperationId, current.ResourceId, IsNew: false);
                return false;
            }
            (current.Fingerprint, current.OperationId, current.ResourceId, current.ClaimedAt) = (fingerprint, operationId, resourceId, DateTimeOffset.UtcNow);
            claim = new IdempotencyClaim(operationId, resourceId, IsNew: true);
            return true;
        });
        return claim!;
    }
}

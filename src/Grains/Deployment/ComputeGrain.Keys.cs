using Azure;
using Stratum.Operations;

namespace Stratum.Deployment;

/// <summary>
/// Idempotency-Keys of disks, snapshots and instances. A key (hashed with its subject) is decided in
/// one place per folder: its claim row in the home partition of the key's shard
/// (<see cref="ShardRows.KeyShard"/>). Two requests with one key meet there, however many shards
/// their resources are on, and a claim row is added only if absent, so at most one of them runs. A
/// claim holds the first request's fingerprint and operation id, and expires with every other key:
/// the data janitor removes claims older than <see cref="Idempotency.Window"/>.
/// </summary>
public sealed partial class ComputeGrain
{
    /// <summary>A create that makes its resources from nothing: it goes to its key's shard, so its claim rides in the batch it commits in.</summary>
    private async Task<Route> RouteAsync(Caller caller, string folderId, string? idempotencyKey, string action, object request)
    {
        var shards = await ShardsAsync(folderId);
        var claimHash = Idempotency.ClaimKey(caller, idempotencyKey);
        var shard = claimHash is null ? Random.Shared.Next(shards) : ShardRows.KeyShard(claimHash, shards);
        return new Route(folderId, shard, Placement.Home(folderId, shard), claimHash, claimHash is null ? null : Idempotency.Fingerprint(action, request), shard);
    }

    /// <summary>A command that changes what an existing row holds: it goes to that row's shard, wherever its key is decided.</summary>
    private async Task<Route> RouteToAsync(Caller caller, string folderId, string existingId, string? idempotencyKey, string action, object request)
    {
        var shards = await ShardsAsync(folderId);
        var shard = Placement.ShardOf(folderId, existingId, shards);
        var claimHash = Idempotency.ClaimKey(caller, idempotencyKey);
        return new Route(folderId, shard, Placement.Home(folderId, shard), claimHash, claimHash is null ? null : Idempotency.Fingerprint(action, request),
            claimHash is null ? shard : ShardRows.KeyShard(claimHash, shards));
    }

    private sealed record Route(string FolderId, int Shard, int Home, string? ClaimHash, string? Fingerprint, int KeyShard)
    {
        /// <summary>A new id in the shard's home partition, random even with a key: a retry is recognised by the key's claim, not by the id.</summary>
        public string NewId(string prefix) => Placement.NewId(prefix, Home);
    }

    /// <summary>Hands a command to its shard; a data copy made for it is removed if it was not used (a refusal, or a retry answered with its first operation).</summary>
    private async Task<Operation> SubmitAsync(Route route, ShardCommand command)
    {
        var outcome = (await Shard(route.FolderId, route.Shard).SubmitAsync([command]))[0];
        if (outcome.Operation is { } operation && !outcome.Replayed)
        {
            return operation;
        }
        await DiscardDataAsync(command);
        return outcome.Operation ?? throw new StratumException(outcome.Error!.Code, outcome.Error.Message);
    }

    /// <summary>
    /// Runs a command, built for an operation id, under its key. On the key's own shard the claim
    /// rides in the command's transaction. On another shard the key is claimed first (with the
    /// proposed operation id) and the command runs under the claim's operation id: a retry finds that
    /// operation once committed, and after a failure in between runs under the same operation id, so
    /// it finishes the first attempt instead of making a second.
    /// </summary>
    private async Task<Operation> SubmitKeyedAsync(Route route, string operationId, Func<string, Task<ShardCommand>> build)
    {
        if (route.ClaimHash is not { } claimHash || route.KeyShard == route.Shard)
        {
            return await SubmitAsync(route, (await build(operationId)) with { ClaimHash = route.ClaimHash, Fingerprint = route.Fingerprint });
        }
        var keyHome = Placement.Home(route.FolderId, route.KeyShard);
        var (claimedId, first, etag, added) = await ClaimAsync(keyHome, claimHash, route.Fingerprint!, operationId);
        if (first is not null)
        {
            return first;
        }
        try
        {
            return await SubmitAsync(route, await build(claimedId));
        }
        catch (StratumException)
        {
            // The same request may have run beside this one under the same operation id and committed
            // first: this one then finds the target gone (a delete) or the disk attached (an attach).
            if (await rows.FindOperationAsync(claimedId) is { } done)
            {
                return done.Operation;
            }
            // Refused, so nothing changed: the key is free again, as a refused command on the key's own
            // shard leaves it. Only by the request that claimed it: a claim found was another's, still
            // on its way (forgetting it freed the key under that request).
            if (added)
            {
                await ForgetClaimAsync(keyHome, claimHash, etag);
            }
            throw;
        }
    }

    /// <summary>
    /// Adds the key's claim if absent (<c>Added</c>); else answers from it: 409 for another request, its first
    /// operation if finished, else its operation id to finish.
    /// </summary>
    private async Task<(string OperationId, Operation? First, ETag ETag, bool Added)> ClaimAsync(int home, string claimHash, string fingerprint, string operationId)
    {
        await rows.ReadyAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var added = await rows.Table.AddEntityAsync(ShardRows.Claim(home, claimHash, fingerprint, operationId));
                return (operationId, null, added.Headers.ETag ?? ETag.All, true);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Claimed before: decided below, from the claim as stored.
            }
            if (await rows.GetAsync(Placement.PartitionKey(home), ShardRows.ClaimPrefix + claimHash) is not { } claim)
            {
                // Forgotten in between by the request that claimed it, refused: the key is free again.
                // (Answered 503, the same request sent many times at once got it instead of the refusal.)
                if (attempt < MaxClaimAttempts)
                {
                    continue;
                }
                throw new StratumException(ErrorCode.Unavailable, "The Idempotency-Key's claim changed while this request was decided; retry.");
            }
            if (claim.GetString("Fingerprint") != fingerprint)
            {
                throw new StratumException(ErrorCode.Aborted, Idempotency.ReusedKey);
            }
            return (claim.GetString("OperationId"), await rows.ClaimedOperationAsync(claim), claim.ETag, false);
        }
    }

    private const int MaxClaimAttempts = 5;

    private async Task ForgetClaimAsync(int home, string claimHash, ETag etag)
    {
        try
        {
            await rows.Table.DeleteEntityAsync(Placement.PartitionKey(home), ShardRows.ClaimPrefix + claimHash, etag);
        }
        catch (RequestFailedException)
        {
            // Changed meanwhile (finished by a retry beside this one) or gone: it stays as it is.
        }
    }
}

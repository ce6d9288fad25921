using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stratum.Operations;

/// <summary>
/// Runs a mutation at most once per <c>Idempotency-Key</c> and subject: a key seen before answers
/// with its first operation, so the mutations themselves need no such check. A mutation must be
/// idempotent for its operation id, so that a retry after a crash between the claim and the work
/// finishes the first attempt instead of starting a second.
/// </summary>
public static class Idempotency
{
    public const int MaxKeyLength = 128;

    /// <summary>
    /// How long a key keeps its first answer, as the contract says: for the idempotency grain's
    /// claims (decided on the claim's time) and the compute shards' claim rows (swept by the
    /// <see cref="Deployment.IDataJanitorGrain"/> once older) alike.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>The one message for a key reused with another request (code 10).</summary>
    public const string ReusedKey = "This Idempotency-Key was already used with a different request; use a new key for a new request.";

    public static async Task<Operation> RunAsync(
        IGrainFactory grains, Caller caller, string? key, string action, object request,
        string resourceId, Func<string, string, Task<Operation>> mutate, string? operationId = null)
    {
        // A mutation may name its operation (an image's create names it after the image); else a new id.
        operationId ??= ResourceIds.New(ResourceIds.Operation);
        if (ClaimKey(caller, key) is not { } claimKey)
        {
            return await mutate(operationId, resourceId);
        }
        var claim = await grains.GetGrain<IIdempotencyGrain>(claimKey)
            .ClaimAsync(Fingerprint(action, request), operationId, resourceId);
        // A finished first attempt answers; an unfinished one is run again (the mutation is idempotent
        // for its operation id), so a retry after a failure between the operation's start and the work
        // completes the work instead of returning an operation that would never finish.
        if (!claim.IsNew && await grains.GetGrain<IOperationInternalGrain>(claim.OperationId).TryGetAsync() is { Done: true } first)
        {
            return first;
        }
        return await mutate(claim.OperationId, claim.ResourceId);
    }

    /// <summary>What a key is remembered by: a hash of subject and key (the same key from another subject is another key); null without a key.</summary>
    public static string? ClaimKey(Caller caller, string? key)
    {
        if (key is null)
        {
            return null;
        }
        if (key.Length is 0 or > MaxKeyLength)
        {
            throw StratumException.Invalid($"Idempotency-Key must be 1 to {MaxKeyLength} characters.");
        }
        return Hash($"{caller.Subject}\n{key}");
    }

    /// <summary>What makes two requests with one key the same request: the action and the request's content.</summary>
    public static string Fingerprint(string action, object request) =>
        Hash(action + "\n" + JsonSerializer.Serialize(request, request.GetType()));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

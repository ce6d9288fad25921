using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stratum.Operations;

/// <summary>
/// Runs a mutation at most once per <c>Idempotency-Key</c> and subject. The mutation itself must
/// be idempotent for its operation id, so that a retry after a crash between the claim and the
/// work finishes the first attempt instead of starting a second.
/// </summary>
public static class Idempotency
{
    public const int MaxKeyLength = 128;

    public static async Task<Operation> RunAsync(
        IGrainFactory grains, Caller caller, string? key, string action, object request,
        string resourceId, Func<string, string, Task<Operation>> mutate)
    {
        if (key is null)
        {
            return await mutate(ResourceIds.New(ResourceIds.Operation), resourceId);
        }
        if (key.Length is 0 or > MaxKeyLength)
        {
            throw StratumException.Invalid($"Idempotency-Key must be 1 to {MaxKeyLength} characters.");
        }
        var claim = await grains.GetGrain<IIdempotencyGrain>(Hash($"{caller.Subject}\n{key}"))
            .ClaimAsync(Fingerprint(action, request), ResourceIds.New(ResourceIds.Operation), resourceId);
        if (!claim.IsNew && await grains.GetGrain<IOperationInternalGrain>(claim.OperationId).TryGetAsync() is { } first)
        {
            return first;
        }
        return await mutate(claim.OperationId, claim.ResourceId);
    }

    private static string Fingerprint(string action, object request) =>
        Hash(action + "\n" + JsonSerializer.Serialize(request, request.GetType()));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

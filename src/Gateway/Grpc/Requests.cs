using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Stratum.Gateway.Endpoints;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// Reading the provider's request messages into Stratum's requests. proto3 has no "absent" for
/// strings and numbers, so an empty string, a zero or an empty map means "not given", as the
/// provider reads them.
/// </summary>
public static class Requests
{
    public static string? Given(string value) => value.Length == 0 ? null : value;

    public static long? Given(long value) => value == 0 ? null : value;

    public static IReadOnlyDictionary<string, string>? Given(MapField<string, string> map) =>
        map.Count == 0 ? null : new Dictionary<string, string>(map);

    public static IReadOnlyList<string>? Given(RepeatedField<string> list) => list.Count == 0 ? null : list.ToList();

    /// <summary>A list request as REST reads it from its query: the same paging, filter and order.</summary>
    public static ListQuery List(long pageSize, string pageToken, string filter = "", string orderBy = "") =>
        new((int)Math.Clamp(pageSize, int.MinValue, int.MaxValue), Given(pageToken), Given(filter), Given(orderBy));

    /// <summary>A folder id as REST takes it: required, and a malformed one names no folder (NOT_FOUND).</summary>
    public static string FolderId(string folderId) =>
        ImageEndpoints.FolderId(folderId.Length > 0 ? folderId : throw StratumException.Invalid("folderId is required."));

    /// <summary>A resource id: one that cannot exist is simply not found, as on REST.</summary>
    public static string Id(string id, string prefix, string kind) =>
        ResourceIds.IsValid(id, prefix) ? id : throw StratumException.NotFound(kind, id);

    /// <summary>
    /// Lists that REST answers whole (operations, access bindings) have one page: a page token can
    /// only be one this server never returned.
    /// </summary>
    public static void SinglePage(string pageToken)
    {
        if (pageToken.Length > 0)
        {
            throw StratumException.Invalid("pageToken is not a token this list returned.");
        }
    }

    /// <summary>
    /// The fields an update changes: those the mask names (snake_case or camelCase), or, without
    /// a mask, those given a value. A path the update cannot change is INVALID_ARGUMENT.
    /// </summary>
    public static ISet<string> Masked(FieldMask? mask, IReadOnlyDictionary<string, bool> given)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            return given.Where(g => g.Value).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        }
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in mask.Paths)
        {
            var field = given.Keys.FirstOrDefault(k => k == path || ToCamel(k) == path)
                ?? throw StratumException.Invalid($"updateMask path '{path}' cannot be updated: use {string.Join(", ", given.Keys)}.");
            paths.Add(field);
        }
        return paths;
    }

    public static T Enum<T>(T value, string field) where T : struct, System.Enum =>
        System.Enum.IsDefined(value) ? value : throw StratumException.Invalid($"{field} {Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a known value.");

    public static RpcException Unimplemented(string what, ServerCallContext context) =>
        GrpcErrors.Unimplemented($"{what} is not served by Stratum.", context);

    private static string ToCamel(string snake)
    {
        var parts = snake.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }
}

using System.Globalization;
using System.Text.Json;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// The JSON body of <c>:deprecate</c>. A time is a JSON element so that absent (keep what is
/// scheduled), <c>null</c> (clear it) and a timestamp (schedule it) can be told apart.
/// </summary>
public sealed record DeprecateBody
{
    public DeprecationState? State { get; init; }

    public string? Replacement { get; init; }

    // Properties rather than constructor parameters with defaults: the OpenAPI schema exporter
    // writes a parameter's default value, and an undefined JsonElement cannot be written.
    public JsonElement DeprecateAt { get; init; }

    public JsonElement ObsoleteAt { get; init; }

    public JsonElement DeleteAt { get; init; }

    public DeprecateRequest ToRequest()
    {
        var clear = LifecycleTimes.None;
        return new DeprecateRequest(State, Replacement,
            Time(DeprecateAt, "deprecateAt", LifecycleTimes.DeprecateAt, ref clear),
            Time(ObsoleteAt, "obsoleteAt", LifecycleTimes.ObsoleteAt, ref clear),
            Time(DeleteAt, "deleteAt", LifecycleTimes.DeleteAt, ref clear),
            clear);
    }

    private static DateTimeOffset? Time(JsonElement value, string field, LifecycleTimes flag, ref LifecycleTimes clear)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Null:
                clear |= flag;
                return null;
            case JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && value.GetString()!.Contains('T', StringComparison.Ordinal):
                return at.ToUniversalTime();
            default:
                throw StratumException.Invalid($"Field '{field}' must be an RFC 3339 timestamp (\"2030-01-31T12:00:00Z\") or null to clear it.");
        }
    }
}

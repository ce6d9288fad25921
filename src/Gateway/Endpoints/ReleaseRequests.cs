using System.Globalization;
using System.Text.Json;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>The HTTP shapes of family releases and safe deletion that need more than a plain record.</summary>
public static class ReleaseRequests
{
    /// <summary>The <c>view</c> of an image list: DEFAULT (the folder's images) or RECYCLE_BIN.</summary>
    public static ImageView View(HttpRequest request) => RequestReader.Optional(request, "view") switch
    {
        null or "DEFAULT" => ImageView.Default,
        "RECYCLE_BIN" => ImageView.RecycleBin,
        var other => throw StratumException.Invalid($"view '{other}' is not known: use DEFAULT or RECYCLE_BIN."),
    };
}

/// <summary>
/// The JSON body of <c>:deprecate</c>. A time is a JSON element so that absent (keep what is
/// scheduled), <c>null</c> (clear it) and a timestamp (schedule it) can be told apart.
/// </summary>
public sealed record DeprecateBody(
    DeprecationState? State = null,
    string? Replacement = null,
    JsonElement DeprecateAt = default,
    JsonElement ObsoleteAt = default,
    JsonElement DeleteAt = default)
{
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

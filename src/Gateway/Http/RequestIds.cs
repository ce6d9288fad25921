namespace Stratum.Gateway.Http;

/// <summary>
/// The ids a request names, checked before any grain is woken: an id that cannot exist names
/// nothing, so it is 404, as is one the caller may not see.
/// </summary>
public static class RequestIds
{
    /// <summary>A folder id: generated, or well known (<see cref="ResourceIds.IsFolder"/> is the one rule).</summary>
    public static string Folder(string id) => ResourceIds.IsFolder(id) ? id : throw StratumException.NotFound("folder", id);

    /// <summary>An id of the kind with that prefix.</summary>
    public static string Of(string id, string prefix, string kind) => ResourceIds.IsValid(id, prefix) ? id : throw StratumException.NotFound(kind, id);
}

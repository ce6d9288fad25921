namespace Stratum.Gateway.Endpoints;

/// <summary>
/// Splits a path segment such as <c>fld123:setAccessBindings</c> into id and custom method,
/// the contract's way of naming actions on a resource.
/// </summary>
public readonly record struct ResourcePath(string Id, string? Method)
{
    public static ResourcePath Parse(string segment)
    {
        var colon = segment.IndexOf(':');
        return colon < 0 ? new ResourcePath(segment, null) : new ResourcePath(segment[..colon], segment[(colon + 1)..]);
    }

    /// <summary>An id that cannot exist is simply not found: no grain is woken for it.</summary>
    public string Require(Func<string, bool> isValid, string kind) =>
        isValid(Id) ? Id : throw StratumException.NotFound(kind, Id);

    public StratumException UnknownMethod() =>
        new(ErrorCode.NotFound, Method is null ? "No such method." : $"Method ':{Method}' is not known here.");
}

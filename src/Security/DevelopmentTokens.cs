namespace Stratum.Security;

/// <summary>The contract's three fixed tokens, accepted only where <see cref="AuthOptions.DevelopmentTokens"/> is on.</summary>
public static class DevelopmentTokens
{
    /// <summary>Each token and the caller it names.</summary>
    public static readonly IReadOnlyDictionary<string, Caller> All = new Dictionary<string, Caller>(StringComparer.Ordinal)
    {
        ["dev-admin"] = Caller.User("admin"),
        ["dev-alice"] = Caller.User("alice"),
        ["dev-bob"] = Caller.User("bob"),
    };
}

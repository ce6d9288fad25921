using System.ComponentModel.DataAnnotations;

namespace Stratum.Gateway.Endpoints;

/// <summary>The body of <c>:setAccessBindings</c>: the bindings that replace all of them.</summary>
public sealed record SetAccessBindingsBody([property: Required] IReadOnlyList<AccessBinding>? AccessBindings)
{
    public IReadOnlyList<AccessBinding> Required() => AccessBindings ?? throw StratumException.Invalid("accessBindings is required.");
}

/// <summary>The body of <c>:updateAccessBindings</c>: bindings to add and to remove.</summary>
public sealed record UpdateAccessBindingsBody([property: Required] IReadOnlyList<AccessBindingDelta>? AccessBindingDeltas)
{
    public IReadOnlyList<AccessBindingDelta> Required() => AccessBindingDeltas ?? throw StratumException.Invalid("accessBindingDeltas is required.");
}

/// <summary>The body of a quota change: new limits for some quotas.</summary>
public sealed record SetQuotasBody([property: Required] IReadOnlyList<QuotaLimitBody>? Quotas)
{
    /// <summary>
    /// The limits. A limit left out is refused by the reader (a required field); one given as null here, not read
    /// as 0. A null entry passes on as null: the folder's rules name it, as they do for the Orleans client.
    /// </summary>
    public IReadOnlyList<QuotaLimit> Required() => (Quotas ?? throw StratumException.Invalid("quotas is required."))
        .Select((q, i) => q is null ? null! : new QuotaLimit(q.Name!, q.Limit ?? throw StratumException.Invalid($"quotas[{i}].limit is required."))).ToList();
}

/// <summary>One new limit: the quota's name and its limit (int64, as a string or a number).</summary>
public sealed record QuotaLimitBody([property: Required] string? Name, [property: Required] long? Limit);

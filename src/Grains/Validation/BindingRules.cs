namespace Stratum.Validation;

/// <summary>What a valid set of access bindings looks like, on a folder or an image.</summary>
public static class BindingRules
{
    public static void Validate(IReadOnlyList<AccessBinding>? bindings, bool onImage, string field = "accessBindings")
    {
        if (bindings is null)
        {
            throw StratumException.Invalid($"{field} is required.");
        }
        if (bindings.Count > Rules.MaxBindings)
        {
            throw StratumException.Invalid($"{field} has {bindings.Count} entries; at most {Rules.MaxBindings} are allowed.");
        }
        for (var i = 0; i < bindings.Count; i++)
        {
            Validate(bindings[i], onImage, $"{field}[{i}]");
        }
    }

    public static void Validate(AccessBinding? binding, bool onImage, string field)
    {
        if (binding is null || binding.Subject is null)
        {
            throw StratumException.Invalid($"{field} needs a roleId and a subject.");
        }
        if (string.IsNullOrEmpty(binding.RoleId))
        {
            throw StratumException.Invalid($"{field}.roleId is required.");
        }
        if (!Roles.All.Contains(binding.RoleId))
        {
            throw StratumException.Invalid($"{field}.roleId '{binding.RoleId}' is not a known role: use one of {string.Join(", ", Roles.All)}.");
        }
        var subject = binding.Subject;
        if (string.IsNullOrWhiteSpace(subject.Id) || subject.Id.Length > 128)
        {
            throw StratumException.Invalid($"{field}.subject.id is required (at most 128 characters).");
        }
        Rules.NoControlCharacters(subject.Id, $"{field}.subject.id", allowLineBreaks: false);
        if (subject.Type == SubjectType.System && subject != Subject.AllAuthenticatedUsers && subject != Subject.AllUsers)
        {
            throw StratumException.Invalid($"{field}.subject.id '{subject.Id}' is not a system group: use allAuthenticatedUsers or allUsers.");
        }
        if (onImage && subject == Subject.AllUsers)
        {
            throw StratumException.Invalid($"{field}.subject: system:allUsers is refused on images; make an image public with system:allAuthenticatedUsers.");
        }
    }

    /// <summary>Applies deltas to a binding list: ADD is a no-op when present, REMOVE when absent.</summary>
    public static List<AccessBinding> Apply(IReadOnlyList<AccessBinding> current, IReadOnlyList<AccessBindingDelta>? deltas, bool onImage)
    {
        if (deltas is null || deltas.Count == 0)
        {
            throw StratumException.Invalid("accessBindingDeltas must hold at least one delta.");
        }
        var result = current.ToList();
        for (var i = 0; i < deltas.Count; i++)
        {
            var delta = deltas[i] ?? throw StratumException.Invalid($"accessBindingDeltas[{i}] must be an object: {{action, accessBinding}}.");
            Validate(delta.AccessBinding, onImage, $"accessBindingDeltas[{i}].accessBinding");
            if (delta.Action == AccessBindingAction.Add && !result.Contains(delta.AccessBinding))
            {
                result.Add(delta.AccessBinding);
            }
            else if (delta.Action == AccessBindingAction.Remove)
            {
                result.Remove(delta.AccessBinding);
            }
        }
        if (result.Count > Rules.MaxBindings)
        {
            throw StratumException.Invalid($"accessBindings would have {result.Count} entries; at most {Rules.MaxBindings} are allowed.");
        }
        return result;
    }
}

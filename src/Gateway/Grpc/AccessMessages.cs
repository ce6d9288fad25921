namespace Stratum.Gateway.Grpc;

/// <summary>The provider's access messages read into Stratum's bindings; what cannot be one is INVALID_ARGUMENT naming the field.</summary>
public static class AccessMessages
{
    private static readonly IReadOnlyDictionary<string, SubjectType> SubjectTypes =
        Enum.GetValues<SubjectType>().ToDictionary(Subject.TypeName, StringComparer.Ordinal);

    public static AccessBinding FromMessage(Yandex.Cloud.Access.AccessBinding binding, string field)
    {
        var subject = binding.Subject ?? throw StratumException.Invalid($"{field}.subject is required.");
        if (!SubjectTypes.TryGetValue(subject.Type, out var type))
        {
            throw StratumException.Invalid($"{field}.subject.type '{subject.Type}' must be one of {string.Join(", ", SubjectTypes.Keys)}.");
        }
        return new AccessBinding(binding.RoleId, new Subject(subject.Id, type));
    }

    public static AccessBindingDelta FromMessage(Yandex.Cloud.Access.AccessBindingDelta delta, string field)
    {
        var action = delta.Action switch
        {
            Yandex.Cloud.Access.AccessBindingAction.Add => AccessBindingAction.Add,
            Yandex.Cloud.Access.AccessBindingAction.Remove => AccessBindingAction.Remove,
            _ => throw StratumException.Invalid($"{field}.action must be ADD or REMOVE."),
        };
        var binding = delta.AccessBinding ?? throw StratumException.Invalid($"{field}.accessBinding is required.");
        return new AccessBindingDelta(action, FromMessage(binding, $"{field}.accessBinding"));
    }
}

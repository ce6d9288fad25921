namespace Stratum;

/// <summary>
/// The one error type of Stratum: every refused request surfaces as this, with a code of the
/// API contract, through both the HTTP gateway and the Orleans client.
/// </summary>
[GenerateSerializer, Alias("Stratum.StratumException")]
public sealed class StratumException : Exception
{
    /// <summary>Creates an error with a contract code and a message saying what and why.</summary>
    public StratumException(ErrorCode code, string message) : base(message) => Code = code;

    /// <summary>The contract's error code.</summary>
    [Id(0)] public ErrorCode Code { get; }

    /// <summary>A 400: a field breaks a rule.</summary>
    public static StratumException Invalid(string message) => new(ErrorCode.InvalidArgument, message);

    /// <summary>A 404 that does not say whether the resource exists.</summary>
    public static StratumException NotFound(string kind, string id) => new(ErrorCode.NotFound, $"{kind} '{EchoedText.Shorten(id)}' was not found.");

    /// <summary>A 403 for a caller who may read but not change.</summary>
    public static StratumException Denied(string message) => new(ErrorCode.PermissionDenied, message);

    /// <summary>A 400 code 9: the resource's state forbids this.</summary>
    public static StratumException Precondition(string message) => new(ErrorCode.FailedPrecondition, message);

    /// <summary>
    /// A 429: <paramref name="amount"/> more of <paramref name="quota"/> does not fit. <paramref name="usage"/> counts
    /// what is stored; when it and the amount fit the limit, the rest is held by creates still being stored
    /// (admitted, not yet committed), and the message says so rather than contradict itself.
    /// </summary>
    public static StratumException QuotaExceeded(string folderId, string quota, long limit, long usage, long amount) =>
        new(ErrorCode.ResourceExhausted,
            $"Quota {quota} of folder '{folderId}' would be exceeded: limit {limit}, usage {usage}, requested {amount}" +
            (usage + amount <= limit ? $"; creates not yet stored hold the other {limit - usage}. " : ". ") +
            $"A platform admin can raise it with PATCH /compute/v1/folders/{folderId}/quotas.");
}

namespace Stratum.LoadTest;

/// <summary>A gateway (or local cluster) the run could not reach: what to tell the user in one line, exit 3.</summary>
public static class Unreachable
{
    /// <summary>
    /// The line for a failure that means the cluster could not be started or reached, or null for any other.
    /// A gateway that takes the connection and never answers ends in HttpClient's timeout, which .NET reports
    /// as a cancellation: a trial's tool died of it with a stack trace (exit 134).
    /// </summary>
    public static string? Describe(Exception e) => e switch
    {
        ClusterStartException => $"the run stopped: {e.Message}",
        // No status: no answer at all (refused, reset, no such host), which a trial's line did not say was the gateway's.
        HttpRequestException { StatusCode: null } => $"the run stopped: the gateway could not be reached ({e.Message})",
        HttpRequestException => $"the run stopped: {e.Message}",
        TaskCanceledException { InnerException: TimeoutException } => $"the run stopped: the gateway did not answer ({e.Message})",
        _ => null,
    };
}

namespace Stratum.LoadTest;

/// <summary>What a finished run ends the tool with.</summary>
public static class RunOutcome
{
    /// <summary>
    /// 0 when the run made something and every invariant held; 1 when an invariant did not hold, or when
    /// nothing succeeded at all: the invariants hold trivially on nothing, and a trial's run whose 1500 calls
    /// all failed had ended 0, as a measurement.
    /// </summary>
    public static int ExitCode(InvariantReport? invariants, int succeeded, int count) =>
        invariants is { AllHold: false } || (succeeded == 0 && count > 0) ? 1 : 0;
}

namespace Stratum.LoadTest;

/// <summary><c>--kill-silo-at</c>: one silo killed that many seconds into the run, said when it is done, and then in the summary.</summary>
public static class SiloKill
{
    /// <summary>Kills a silo after <paramref name="at"/>, unless the run ended first; returns what was killed and when, for the summary.</summary>
    public static async Task<string?> AtAsync(TimeSpan at, Func<string> kill, Func<double> runSeconds, ProgressDisplay display, CancellationToken runEnded)
    {
        try
        {
            await Task.Delay(at, runEnded);
        }
        catch (OperationCanceledException)
        {
            // A kill due after the run has ended is not made: the check that follows needs the cluster whole.
            return null;
        }
        // Process.Kill is SIGKILL on Linux and macOS: the silo gets no chance to leave the cluster, as in a crash.
        var killed = $"{kill()} at {runSeconds():F1} s (SIGKILL)";
        await display.NoteAsync($"killed {killed}");
        return killed;
    }
}

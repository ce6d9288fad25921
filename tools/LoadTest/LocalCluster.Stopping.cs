using System.Runtime.InteropServices;

namespace Stratum.LoadTest;

/// <summary>
/// An interrupted run stops the processes it started. A trial found that Ctrl+C or a SIGTERM to the
/// tool's process group killed only Azurite (its shell's trap): the silos and the gateway went on, and
/// the tool printed "0/s" forever; a SIGKILL of the tool left the silos and the gateway under init.
/// </summary>
public sealed partial class LocalCluster
{
    private readonly ProcessReaper _reaper = ProcessReaper.Start();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly Lock _stopping = new();
    private Task? _stopped;
    private int _signalled;

    /// <summary>Stops everything this cluster started; a second call (a signal during the first) waits for the first.</summary>
    private Task StopOnceAsync()
    {
        lock (_stopping)
        {
            return _stopped ??= StopAsync();
        }
    }

    /// <summary>
    /// On SIGINT or SIGTERM, stops the cluster and ends the tool with 128 + the signal's number (130, 143),
    /// as a shell reports a command the signal ended: an interrupted run has no report to give.
    /// </summary>
    private void StopOnSignals(TextWriter log)
    {
        foreach (var (signal, number) in (ReadOnlySpan<(PosixSignal, int)>)[(PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15)])
        {
            _signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                // `dotnet run` passes on the signal it got too: the second waits for the first's stop, silently.
                if (Interlocked.Exchange(ref _signalled, 1) == 0)
                {
                    log.WriteLine($"{context.Signal}: stopping the local cluster (logs in {Logs})");
                }
                StopOnceAsync().GetAwaiter().GetResult();
                Environment.Exit(128 + number);
            }));
        }
    }
}

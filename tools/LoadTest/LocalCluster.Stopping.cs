using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stratum.LoadTest;

/// <summary>
/// An interrupted run stops the processes it started. A trial found that Ctrl+C or a SIGTERM to the
/// tool's process group killed only Azurite (its shell's trap): the silos and the gateway went on, and
/// the tool printed "0/s" forever; a SIGKILL of the tool left the silos and the gateway under init.
/// A second trial signalled the group while the tool ignored SIGINT (a background job of a script):
/// Azurite's shell stopped, and the tool died of the gateway's 500 with an unhandled exception.
/// </summary>
public sealed partial class LocalCluster
{
    private readonly ProcessReaper _reaper = ProcessReaper.Start();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly Lock _stopping = new();
    private readonly HashSet<Process> _killedOnPurpose = [];
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _stopped;
    private int _signalled;

    /// <summary>Whether the run is being given up: a process of the cluster was lost, or a signal came.</summary>
    public bool RunAbandoned => _lost.Task.IsCompleted || Signal is not null;

    /// <summary>The signal's number (2 for SIGINT, 15 for SIGTERM) once this tool has begun stopping for one; null before.</summary>
    public int? Signal => _signal.Task.IsCompleted ? _signal.Task.Result : null;

    /// <summary>
    /// <see cref="Signal"/>, waiting up to <paramref name="within"/> for it: a signal to the whole process group
    /// reaches Azurite's shell too, which may end (and fail the run) before this tool's handler has run.
    /// </summary>
    public async Task<int?> SignalWithinAsync(TimeSpan within) =>
        await Task.WhenAny(_signal.Task, Task.Delay(within)) == _signal.Task ? await _signal.Task : null;

    /// <summary>
    /// Runs <paramref name="run"/> unless a process of this cluster ends first by itself (not stopped by this
    /// tool, not the silo <c>--kill-silo-at</c> kills): then throws <see cref="ClusterLostException"/> naming it,
    /// as the run cannot go on without it. A failure of the run is given that name too when the process ended
    /// just before (its requests fail as it goes); <paramref name="grace"/> is how long to wait for the end's news.
    /// </summary>
    public async Task<T> UnlessLostAsync<T>(Task<T> run, TimeSpan grace)
    {
        try
        {
            if (await Task.WhenAny(run, _lost.Task) == _lost.Task)
            {
                throw new ClusterLostException(await _lost.Task, Logs);
            }
            return await run;
        }
        catch (Exception e) when (e is not ClusterLostException && Signal is null)
        {
            await ProbeStorageAsync();
            if (await Task.WhenAny(_lost.Task, Task.Delay(grace)) == _lost.Task)
            {
                throw new ClusterLostException(await _lost.Task, Logs, e);
            }
            throw;
        }
    }

    /// <summary>
    /// An Azurite service that closed its servers (Node does on SIGINT) is lost though its process lives on.
    /// Asked only once the run has failed, which is when the answer matters: a run without a failure needs no
    /// news of storage, and a probe of three ports every 250 ms was work beside every run.
    /// </summary>
    private async Task ProbeStorageAsync()
    {
        if (_azurite is not null && await _azurite.FirstRefusingAsync() is { } refusing)
        {
            Lose($"{refusing} stopped accepting connections");
        }
    }

    private void WatchForLoss(string name, Process process)
    {
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Lose($"{name} exited ({Why(process)})", process);
        if (process.HasExited)
        {
            Lose($"{name} exited ({Why(process)})", process);
        }
    }

    /// <summary>Records the first loss, unless this tool is stopping the cluster or killed <paramref name="process"/> itself.</summary>
    private void Lose(string what, Process? process = null)
    {
        if (what.StartsWith("azurite", StringComparison.Ordinal) && IgnoresSigint.Value)
        {
            // The likely cause, which the user cannot see: a Ctrl+C or SIGINT meant for the tool.
            what += " (this tool ignores SIGINT, as a script's background job does, and Azurite does not: a SIGINT to the" +
                " process group stops only the storage; stop the tool with SIGTERM)";
        }
        lock (_stopping)
        {
            if (_stopped is null && (process is null || !_killedOnPurpose.Contains(process)))
            {
                _lost.TrySetResult(what);
            }
        }
    }

    /// <summary>Whether this process was started with SIGINT ignored (SigIgn in /proc/self/status), which .NET keeps.</summary>
    private static readonly Lazy<bool> IgnoresSigint = new(() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0);

    /// <summary>"exit code 1", or "SIGINT" for one a signal ended (.NET reports those as 128 + the signal's number; so does Azurite's shell).</summary>
    private static string Why(Process process) => process.ExitCode switch
    {
        129 => "SIGHUP",
        130 => "SIGINT",
        134 => "SIGABRT",
        137 => "SIGKILL",
        143 => "SIGTERM",
        var code => $"exit code {code}",
    };

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
    /// as a shell reports a command the signal ended: an interrupted run has no report to give. A tool started
    /// with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it, as .NET leaves it.
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
                    _signal.TrySetResult(number);
                    log.WriteLine($"{context.Signal}: stopping the local cluster (logs in {Logs})");
                }
                StopOnceAsync().GetAwaiter().GetResult();
                Environment.Exit(128 + number);
            }));
        }
    }
}

/// <summary>A process of the local cluster ended by itself while the run needed it; its log says why.</summary>
public sealed class ClusterLostException(string what, string logs, Exception? consequence = null)
    : Exception($"the local cluster's {what}; logs in {logs}", consequence);

/// <summary>The local cluster did not start (a build failed, a process ended early, or a signal came); <see cref="Signal"/> is that signal's number.</summary>
public sealed class ClusterStartException(string message, Exception cause, int? signal) : Exception(message, cause)
{
    public int? Signal { get; } = signal;
}

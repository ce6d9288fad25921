using System.Diagnostics;

namespace Stratum.LoadTest;

/// <summary>
/// Kills the processes it is told of once this tool is gone, however it went: a SIGKILL runs no
/// handler, and the silos and the gateway it started (each a process of its own) were left running
/// under init. A shell reads their ids from a pipe only this process writes to; when the pipe closes
/// (this process ended) it kills them. It ignores SIGINT, SIGTERM and SIGHUP, which a terminal or a
/// runner sends the whole process group: this tool stops its cluster on those itself and then ends the shell.
/// </summary>
internal sealed class ProcessReaper : IDisposable
{
    private readonly Process _shell;
    private readonly Lock _gate = new();

    private ProcessReaper(Process shell) => _shell = shell;

    public static ProcessReaper Start()
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("trap '' TERM INT HUP; pids=; while read -r pid; do pids=\"$pids $pid\"; done; [ -z \"$pids\" ] || kill -9 $pids 2>/dev/null");
        return new ProcessReaper(Process.Start(start)!);
    }

    /// <summary>Kills <paramref name="process"/> when this tool ends without stopping it.</summary>
    public void Watch(Process process)
    {
        lock (_gate)
        {
            _shell.StandardInput.WriteLine(process.Id);
            _shell.StandardInput.Flush();
        }
    }

    /// <summary>Ends the shell without killing anything: the owner stopped its processes itself (their ids may be reused).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_shell.HasExited)
            {
                _shell.Kill();
                _shell.WaitForExit();
            }
            _shell.Dispose();
        }
    }
}

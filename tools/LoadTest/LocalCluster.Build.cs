using System.Diagnostics;

namespace Stratum.LoadTest;

/// <summary>Building the silo and the gateway (and restoring the dashboard) before they start, as a part of the cluster that stopping it ends too.</summary>
public sealed partial class LocalCluster
{
    /// <summary>The <c>dotnet build</c> or <c>restore</c> running now, if any; set and cleared under <c>_stopping</c>.</summary>
    private Process? _build;

    /// <summary>
    /// Builds one project. The build is the cluster's while it runs: stopping the cluster (a signal) kills
    /// its whole tree, as a trial's SIGINT during the build left `dotnet build` and MSBuild's worker nodes
    /// building for ~45 s after the tool had ended; and no worker node is kept for reuse, so none outlives it.
    /// </summary>
    private Task BuildAsync(string project, string configuration, string root) =>
        DotnetAsync("build", project, $"-c {configuration} --nologo -v q -nodeReuse:false", root);

    /// <summary>Runs <c>dotnet <paramref name="verb"/> <paramref name="project"/></c> in <paramref name="root"/> as the cluster's build.</summary>
    private async Task DotnetAsync(string verb, string project, string options, string root)
    {
        var info = new ProcessStartInfo("dotnet", $"{verb} {project} {options}")
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // Also for any MSBuild the build starts in turn, which the command line's switch does not reach.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        Process process;
        lock (_stopping)
        {
            // Started under the lock that stopping takes, so a stop either sees this build or comes before it.
            process = _stopped is null ? Process.Start(info)! : throw new OperationCanceledException("the local cluster is stopping");
            _build = process;
        }
        // Not disposed here: a stop may be killing it and waiting for its end meanwhile.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        lock (_stopping)
        {
            _build = null;
        }
        if (process.ExitCode != 0)
        {
            await File.WriteAllTextAsync(Path.Combine(Logs, "build.log"), await output + error);
            throw new InvalidOperationException($"dotnet {verb} {project} failed; see {Path.Combine(Logs, "build.log")}.");
        }
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Stratum.LoadTest;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.LoadTest;

/// <summary>
/// Small runs of the real tool: its own Azurite, two silo processes and a gateway process. In one class,
/// so the runs (each building the silo and the gateway first) do not overlap.
/// </summary>
public sealed class LocalRunTests
{
    private static readonly string Configuration =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    [Fact]
    public async Task A_small_local_deploy_after_a_warm_up_keeps_every_invariant_and_counts_only_what_it_measured()
    {
        var directory = Directory.CreateTempSubdirectory("stratum-report-").FullName;
        var output = new StringWriter();

        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--count", "200", "--concurrency", "32", "--local", "--configuration", Configuration, "--report", directory,
            "--warmup", "50"], output, progress);

        Assert.True(exit == 0, output.ToString());
        // The warm-up ran in a folder of its own, before the measurement: none of it is counted below.
        // Over four folders per silo (eight here): a folder's grains warm only the silo Orleans placed them on.
        Assert.Matches("warm-up: 50 of 50 in [0-9.]+ s in folder\\(s\\) (fld[a-z0-9]+, ){7}fld[a-z0-9]+, not measured", progress.ToString());
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "report.json")))!;
        Assert.Equal(200, report["succeeded"]!.GetValue<int>());
        Assert.True(report["invariants"]!["instancesExact"]!.GetValue<bool>());
        Assert.True(report["invariants"]!["refCountExact"]!.GetValue<bool>());
        Assert.True(report["invariants"]!["quotaExact"]!.GetValue<bool>());
        Assert.True(report["storageRequestsPerVm"]!.GetValue<double>() > 0);
        Assert.True(report["memoryMb"]!["silosPeak"]!.GetValue<double>() > 0);
        // Where the time went, from the silos' own stage timings and every process's runtime.
        var stages = report["stages"]!.AsArray().ToDictionary(s => s!["stage"]!.GetValue<string>(), s => s!["count"]!.GetValue<long>());
        Assert.Equal(200, stages["compute.total"]);
        Assert.Equal(200, stages["shard.queue"]);
        Assert.True(stages["shard.commit"] > 0);
        var processes = report["processes"]!.AsArray().Select(p => p!["process"]!.GetValue<string>()).ToList();
        Assert.Contains("silo1", processes);
        Assert.Contains("gateway", processes);
        // Azurite's CPU is its node processes', one per storage service, not the guarding shell's (which reported 0).
        // A deploy is table work: the blob service may spend no measurable CPU in the run (it had some
        // only while the tool probed every port every 250 ms), so only the table service's is sure to be above zero.
        var azurite = report["processes"]!.AsArray().Where(p => p!["process"]!.GetValue<string>().StartsWith("azurite-", StringComparison.Ordinal))
            .ToDictionary(p => p!["process"]!.GetValue<string>(), p => p!["cpuSeconds"]!.GetValue<double>());
        Assert.Equal(["azurite-blob", "azurite-queue", "azurite-table"], azurite.Keys.Order(StringComparer.Ordinal));
        Assert.True(azurite["azurite-table"] > 0, string.Join(", ", azurite));
        // Telemetry is on by default, as the AppHost runs the stack, and receiving it is reported beside producing it.
        Assert.True(report["processes"]!.AsArray().Single(p => p!["process"]!.GetValue<string>() == "dashboard")!["cpuSeconds"]!.GetValue<double>() > 0);
        Assert.Contains("stages", output.ToString());
    }

    /// <summary>
    /// A process that ends while the cluster starts is named, and nothing started is left: a trial killed the gateway
    /// during the start and the tool died of an unhandled exception (134); it now ends with 3 saying which one ended.
    /// </summary>
    [Fact]
    public async Task A_cluster_that_does_not_start_names_the_process_that_ended_and_leaves_none()
    {
        var options = LoadOptions.Parse(["deploy", "--local", "--configuration", Configuration, "--telemetry", "off"]) with
        {
            // A startup hook that is not there: the runtime ends each silo (and the gateway) before it runs.
            Environment = new Dictionary<string, string> { ["DOTNET_STARTUP_HOOKS"] = "/nonexistent/stratum-hook.dll" },
        };

        var refusal = await Assert.ThrowsAsync<ClusterStartException>(() => LocalCluster.StartAsync(options, TextWriter.Null));

        Assert.Matches("^the local cluster did not start: its (silo[12]|gateway) exited early \\((exit code [0-9]+|SIG[A-Z]+)\\); see /", refusal.Message);
        Assert.Null(refusal.Signal);
        var logs = Regex.Match(refusal.Message, "see (/[^ ]+)\\.$").Groups[1].Value;
        Assert.Empty(ProcFs.WithEnvironment("DOTNET_STARTUP_HOOKS=/nonexistent/stratum-hook.dll"));
        Assert.DoesNotContain(ProcFs.DescendantsOf(Environment.ProcessId), pid => ProcFs.CommandLine(pid).Contains(logs, StringComparison.Ordinal));
    }

    /// <summary>
    /// Interrupted by SIGTERM (as `kill` stops a process, or a terminal or a runner its process group; Ctrl+C's
    /// SIGINT takes the same path), the tool stops its cluster and ends with 143; killed outright, it leaves the
    /// cluster to the shells that watch for its end. A trial found both left the silos and the gateway running (and
    /// the tool hung on SIGTERM). A second trial sent SIGINT to the group of a tool that ignored it (a background
    /// job of a script): Azurite's shell stopped, and the tool died of the gateway's 500 with an unhandled exception
    /// (134); it now says which process stopped serving and ends with 3.
    /// </summary>
    [Theory]
    [InlineData("TERM", false, false, 143, "SIGTERM: stopping the local cluster", "on", "")]
    [InlineData("KILL", false, false, 137, "", "off", "")]
    [InlineData("TERM", true, false, 143, "SIGTERM: stopping the local cluster", "on", "")]
    // Azurite's services close their servers on SIGINT (their shell ignores it, as the tool does): which refuses first
    // varies; the tool says why it went on.
    [InlineData("INT", true, true, 3, "the run stopped: the local cluster's azurite-", "on", "(this tool ignores SIGINT, as a script's background job does")]
    public async Task An_interrupted_local_run_leaves_no_process_behind(string signal, bool toGroup, bool ignoringInt, int exitCode, string said, string telemetry, string why)
    {
        // setsid makes the tool its own process group's leader (it execs in place: the test host's child leads no group),
        // so the signal can go to the group as a terminal sends it; `trap '' INT` is what a shell does for a background job.
        var start = new ProcessStartInfo("setsid") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Azurite.RepositoryRoot() };
        foreach (var argument in (string[])["sh", "-c", (ignoringInt ? "trap '' INT; " : "") + "exec \"$@\"", "sh", "dotnet",
            Path.Combine(AppContext.BaseDirectory, "Stratum.LoadTest.dll"), "deploy", "--count", "1000000", "--concurrency", "4", "--local", "--configuration", Configuration, "--telemetry", telemetry])
        {
            start.ArgumentList.Add(argument);
        }
        using var tool = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        tool.ErrorDataReceived += (_, e) =>
        {
            errors.Enqueue(e.Data ?? "");
            if (e.Data?.Contains(" ready: ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        tool.OutputDataReceived += (_, _) => { };
        tool.BeginErrorReadLine();
        tool.BeginOutputReadLine();
        var started = new List<int>();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
            started = ProcFs.DescendantsOf(tool.Id);
            var commands = started.Select(ProcFs.CommandLine).ToList();
            var dashboards = telemetry == "on" ? 1 : 0;
            Assert.Equal((2, 1, 3, dashboards), (commands.Count(c => c.Contains("Stratum.Silo.dll", StringComparison.Ordinal)),
                commands.Count(c => c.Contains("Stratum.Gateway.dll", StringComparison.Ordinal)), commands.Count(c => c.Contains("azurite-", StringComparison.Ordinal)),
                commands.Count(c => c.Contains("Aspire.Dashboard", StringComparison.Ordinal))));
            // Telemetry on (the default) is the stack as the AppHost runs it: every process exports to the dashboard; off, none does.
            var exporting = started.Where(pid => ProcFs.CommandLine(pid).Contains("Stratum.", StringComparison.Ordinal))
                .Count(pid => ProcFs.EnvironmentOf(pid).Any(v => v.StartsWith("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:", StringComparison.Ordinal)));
            Assert.Equal(dashboards * 3, exporting);

            // Right after "ready", as the trial did: the tool's first requests are in flight.
            using (var kill = Process.Start("kill", [$"-{signal}", "--", toGroup ? $"-{tool.Id}" : $"{tool.Id}"]))
            {
                await kill.WaitForExitAsync();
            }

            await tool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var stderr = string.Join('\n', errors);
            Assert.True(exitCode == tool.ExitCode, $"exit {tool.ExitCode}; stderr:\n{stderr}");
            Assert.Contains(said, stderr, StringComparison.Ordinal);
            Assert.Contains(why, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            await Wait.UntilAsync(() => started.All(ProcFs.Gone), seconds: 30, what: $"the end of every process the tool started, after its SIG{signal}");
        }
        finally
        {
            ProcFs.KillLeftovers([tool.Id, .. started]);
        }
    }

    /// <summary>
    /// Stopped while it builds the silo, the tool kills the build's whole tree before it ends: a trial's SIGINT during
    /// the build ended the tool with 130, but left `dotnet build` and MSBuild's worker nodes building for ~45 s.
    /// </summary>
    [Fact]
    public async Task A_run_stopped_while_it_builds_leaves_no_build_behind()
    {
        // A configuration never built, so the build is long and the signal surely comes while it runs.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Azurite.RepositoryRoot() };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "Stratum.LoadTest.dll"), "deploy", "--local", "--configuration", "LoadTestInterrupted"])
        {
            start.ArgumentList.Add(argument);
        }
        using var tool = Process.Start(start)!;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        tool.ErrorDataReceived += (_, e) => errors.Enqueue(e.Data ?? "");
        tool.OutputDataReceived += (_, _) => { };
        tool.BeginErrorReadLine();
        tool.BeginOutputReadLine();
        var build = new List<int>();
        try
        {
            await Wait.UntilAsync(() => ProcFs.DescendantsOf(tool.Id).Any(pid => ProcFs.CommandLine(pid).Contains("src/Silo", StringComparison.Ordinal)),
                seconds: 120, what: "the tool's build of the silo");
            build = ProcFs.DescendantsOf(tool.Id);

            using (var kill = Process.Start("kill", ["-TERM", $"{tool.Id}"]))
            {
                await kill.WaitForExitAsync();
            }
            await tool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(tool.ExitCode == 143, $"exit {tool.ExitCode}; stderr:\n{string.Join('\n', errors)}");
            // The tool waited for the build's end; its worker nodes, killed with it, end a moment later (unkilled, they built on ~45 s).
            await Wait.UntilAsync(() => build.All(ProcFs.Gone), seconds: 10, what: "the end of the build the tool started, after its SIGTERM");
        }
        finally
        {
            ProcFs.KillLeftovers([tool.Id, .. build]);
        }
    }
}

using System.Text.Json.Nodes;
using Stratum.Diagnostics;
using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>The load tool's per-stage timings: a silo's histograms read twice, the run in between summarized.</summary>
public sealed class StageReportTests
{
    [Fact]
    public async Task A_process_read_by_the_operating_system_counts_the_CPU_of_the_children_it_runs_by_program()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The tree is read from /proc; elsewhere the process alone is, as before.
        }
        // As Azurite runs: a shell that waits on the busy child it started.
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "yes > /dev/null & wait"]))!;
        try
        {
            var cpuMs = 0.0;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((cpuMs = RuntimeCounters.OfCpuByProgram(shell, "yes").GetValueOrDefault("yes")?.CpuMs ?? 0) < 50 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.True(cpuMs >= 50, $"read {cpuMs} ms of CPU for a shell whose child keeps a core busy");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_run_is_the_difference_between_two_readings_with_percentiles_from_the_buckets()
    {
        var timings = new StageTimings();
        timings.Record(StageTimings.ShardCommit, 1000);
        var start = Reading(timings, gcPauseMs: 10, cpuMs: 1000);
        for (var i = 1; i <= 100; i++)
        {
            timings.Record(StageTimings.ShardCommit, i);
        }
        timings.Record(StageTimings.ShardQueue, 5);
        var end = Reading(timings, gcPauseMs: 35, cpuMs: 3500);

        var report = StageReport.Between(start, end);

        var commit = report.Stages.Single(s => s.Stage == StageTimings.ShardCommit);
        Assert.Equal(100, commit.Count);
        Assert.Equal(50.5, commit.Mean, 3);
        // Buckets are a fourth of a doubling wide: a percentile is the upper bound of its bucket.
        Assert.InRange(commit.P50, 50, 50 * 1.19);
        Assert.InRange(commit.P99, 99, 99 * 1.19);
        Assert.Equal(1, report.Stages.Single(s => s.Stage == StageTimings.ShardQueue).Count);
        var silo = Assert.Single(report.Processes);
        Assert.Equal(("silo1", 25.0, 2.5), (silo.Process, silo.GcPauseMs, silo.CpuSeconds));
        Assert.Contains(report.Rows(), r => r.Value.Contains(StageTimings.ShardCommit, StringComparison.Ordinal));
    }

    [Fact]
    public void A_process_read_before_the_run_and_not_after_is_named_not_dropped()
    {
        var timings = new StageTimings();
        var start = Reading(timings, gcPauseMs: 10, cpuMs: 1000);
        // silo1 was killed during the run: only the gateway answers after it.
        var end = new ClusterReading(start.Stages, new Dictionary<string, RuntimeCounters> { ["gateway"] = new(5, 1, 0, 0, 500) });
        var withGateway = start with { Processes = new Dictionary<string, RuntimeCounters>(start.Processes) { ["gateway"] = new(1, 0, 0, 0, 100) } };

        var report = StageReport.Between(withGateway, end);

        Assert.Equal(["gateway", "silo1"], report.Processes.Select(p => p.Process));
        Assert.True(report.Processes.Single(p => p.Process == "silo1").Unread);
        var rows = report.Rows().ToDictionary(r => r.Label, r => r.Value);
        Assert.Equal("gateway 4 ms (1/0/0 gen0/1/2), silo1 not read after the run", rows["gc pauses"]);
        Assert.Equal("gateway 0.4 s, silo1 not read after the run", rows["cpu"]);
    }

    [Fact]
    public async Task The_report_carries_the_stages_and_processes()
    {
        var stages = new StageReport([new StageSummary("shard.commit", 10, 4.2, 4, 8)], [new ProcessSummary("gateway", 12.4, 3, 1, 0, 2.25)]);
        var report = new Report("deploy", "gateway", 10, 10, 0, new Dictionary<string, int>(), 1, 10, new Latency(1, 2, 3, 4),
            new InvariantReport(true, true, true, []), 100, 100, 0.2, stages);
        var directory = Directory.CreateTempSubdirectory().FullName;

        await report.WriteAsync(directory, []);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "report.json")))!;
        Assert.Equal(8, json["stages"]![0]!["p99Ms"]!.GetValue<double>());
        Assert.Equal(12.4, json["processes"]![0]!["gcPauseMs"]!.GetValue<double>());
        Assert.Contains("shard.commit", report.Table());
        Assert.Contains("gateway 12 ms", report.Table());
    }

    private static ClusterReading Reading(StageTimings timings, double gcPauseMs, double cpuMs)
    {
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(timings.Read(), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;
        return new ClusterReading(StageReport.Merge([StageReport.ParseStages(json)]),
            new Dictionary<string, RuntimeCounters> { ["silo1"] = new(gcPauseMs, 1, 0, 0, cpuMs) });
    }
}

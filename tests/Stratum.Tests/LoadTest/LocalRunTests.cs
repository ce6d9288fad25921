using System.Text.Json.Nodes;
using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>A small run of the real tool: its own Azurite, two silo processes and a gateway process.</summary>
public sealed class LocalRunTests
{
    [Fact]
    public async Task A_small_local_deploy_after_a_warm_up_keeps_every_invariant_and_counts_only_what_it_measured()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var directory = Directory.CreateTempSubdirectory("stratum-report-").FullName;
        var output = new StringWriter();

        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--count", "200", "--concurrency", "32", "--local", "--configuration", configuration, "--report", directory,
            "--warmup", "50"], output, progress);

        Assert.True(exit == 0, output.ToString());
        // The warm-up ran in a folder of its own, before the measurement: none of it is counted below.
        Assert.Contains("warm-up: 50 of 50", progress.ToString());
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
        foreach (var service in (string[])["azurite-blob", "azurite-queue", "azurite-table"])
        {
            var azurite = report["processes"]!.AsArray().Single(p => p!["process"]!.GetValue<string>() == service)!;
            Assert.True(azurite["cpuSeconds"]!.GetValue<double>() > 0, azurite.ToJsonString());
        }
        Assert.Contains("stages", output.ToString());
    }
}

using System.Diagnostics;
using Stratum.LoadTest;
using Stratum.Tools;

namespace Stratum.Tests.LoadTest;

/// <summary>
/// A stop reaches every process the local cluster started, however late: a trial's SIGTERM during
/// <c>--silos 100000</c> left 128 silos running, started while the stop went on; and no two of the
/// cluster's processes are given one port.
/// </summary>
public sealed class LocalClusterStopTests
{
    [Fact]
    public async Task A_start_racing_the_stop_is_either_stopped_with_the_cluster_or_refused()
    {
        var cluster = new LocalCluster();
        var started = new List<Process>();
        using var starting = new ManualResetEventSlim();
        var starter = Task.Run(() =>
        {
            // As the start loop of --silos N does, on a thread of its own, until the stop refuses one (the bound only
            // ends a loop the stop never refuses; it is far more starts than the stop takes to begin, even on a busy machine).
            for (var i = 0; i < 1000; i++)
            {
                started.Add(cluster.Start($"sleeper{i}", "sleep", "60", Path.GetTempPath(), []));
                starting.Set();
            }
        });
        starting.Wait(TimeSpan.FromSeconds(30));

        await cluster.DisposeAsync();

        var refusal = await Assert.ThrowsAsync<OperationCanceledException>(() => starter);
        Assert.Contains("the local cluster is stopping", refusal.Message, StringComparison.Ordinal);
        Assert.NotEmpty(started);
        foreach (var process in started)
        {
            // The stop waited for each it killed; one left running was started after the stop looked.
            Assert.True(process.HasExited, $"process {process.Id} outlived the stop");
        }
        OwnedTempDirectories.TryDelete(cluster.Logs);
    }

    [Fact]
    public void Free_ports_are_never_given_twice_in_one_process()
    {
        // Each is closed again before its user binds it, so the system may offer it again at once.
        var ports = Enumerable.Range(0, 2000).Select(_ => AzuriteProcess.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}

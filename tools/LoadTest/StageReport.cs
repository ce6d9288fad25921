using System.Globalization;
using System.Text.Json.Nodes;

namespace Stratum.LoadTest;

/// <summary>One stage of the silos' work during a run: samples, their mean, and percentiles read from the histogram's buckets.</summary>
public sealed record StageSummary(string Stage, long Count, double Mean, double P50, double P99);

/// <summary>
/// What one process spent during a run: garbage-collection pauses and collections (-1: not known, as for Azurite and
/// the dashboard), and CPU. <see cref="Unread"/>: it ran when the run began and gave no reading after it (a silo
/// <c>--kill-silo-at</c> killed, or one that did not answer): what it spent is not known.
/// </summary>
public sealed record ProcessSummary(string Process, double GcPauseMs, int Gen0, int Gen1, int Gen2, double CpuSeconds, bool Unread = false);

/// <summary>
/// Where a run's time went: the silos' per-stage timings (their <c>/stats/stages</c> histograms) and
/// each process's GC pauses and CPU, as the difference between a reading before and after the run.
/// </summary>
public sealed record StageReport(IReadOnlyList<StageSummary> Stages, IReadOnlyList<ProcessSummary> Processes)
{
    /// <summary>
    /// The run between two readings. A process read only after (started during the run) is left out; one read only
    /// before is kept as <see cref="ProcessSummary.Unread"/>: a trial found a killed silo missing from the rows without a word.
    /// </summary>
    public static StageReport Between(ClusterReading start, ClusterReading end)
    {
        var stages = end.Stages
            .Select(s => Summarize(s.Key, Subtract(s.Value, start.Stages.GetValueOrDefault(s.Key))))
            .Where(s => s.Count > 0)
            .OrderBy(s => s.Stage, StringComparer.Ordinal)
            .ToList();
        var processes = end.Processes
            .Where(p => start.Processes.ContainsKey(p.Key))
            .Select(p =>
            {
                var before = start.Processes[p.Key];
                var cpu = Math.Round((p.Value.CpuMs - before.CpuMs) / 1000, 2);
                return p.Value.Gen0 < 0
                    ? new ProcessSummary(p.Key, 0, -1, -1, -1, cpu)
                    : new ProcessSummary(p.Key, Math.Round(p.Value.GcPauseMs - before.GcPauseMs, 1), p.Value.Gen0 - before.Gen0,
                        p.Value.Gen1 - before.Gen1, p.Value.Gen2 - before.Gen2, cpu);
            })
            .Concat(start.Processes.Keys.Where(p => !end.Processes.ContainsKey(p)).Order(StringComparer.Ordinal)
                .Select(p => new ProcessSummary(p, 0, -1, -1, -1, 0, Unread: true)))
            .ToList();
        return new StageReport(stages, processes);
    }

    /// <summary>Adds up the stages of several silos (the same buckets in each).</summary>
    public static Dictionary<string, StageHistogram> Merge(IEnumerable<Dictionary<string, StageHistogram>> silos)
    {
        var merged = new Dictionary<string, StageHistogram>(StringComparer.Ordinal);
        foreach (var (stage, histogram) in silos.SelectMany(s => s))
        {
            merged[stage] = merged.TryGetValue(stage, out var sum) ? Add(sum, histogram, +1) : histogram;
        }
        return merged;
    }

    /// <summary>A silo's <c>/stats/stages</c> answer.</summary>
    public static Dictionary<string, StageHistogram> ParseStages(JsonNode json) =>
        json.AsObject().ToDictionary(s => s.Key, s => new StageHistogram(
            s.Value!["count"]!.GetValue<long>(), s.Value["sum"]!.GetValue<double>(),
            s.Value["buckets"]!.AsArray().ToDictionary(b => b![0]!.GetValue<double>(), b => b![1]!.GetValue<long>())), StringComparer.Ordinal);

    private static StageHistogram Subtract(StageHistogram end, StageHistogram? start) => start is null ? end : Add(end, start, -1);

    private static StageHistogram Add(StageHistogram a, StageHistogram b, int sign)
    {
        var buckets = new Dictionary<double, long>(a.Buckets);
        foreach (var (bound, count) in b.Buckets)
        {
            buckets[bound] = buckets.GetValueOrDefault(bound) + sign * count;
        }
        return new StageHistogram(a.Count + sign * b.Count, a.Sum + sign * b.Sum, buckets);
    }

    private static StageSummary Summarize(string stage, StageHistogram histogram)
    {
        var buckets = histogram.Buckets.Where(b => b.Value > 0).OrderBy(b => b.Key).ToList();
        double At(double percentile)
        {
            var rank = (long)Math.Ceiling(percentile / 100 * histogram.Count);
            var seen = 0L;
            foreach (var (bound, count) in buckets)
            {
                if ((seen += count) >= rank)
                {
                    return bound;
                }
            }
            return buckets.Count == 0 ? 0 : buckets[^1].Key;
        }
        return new StageSummary(stage, histogram.Count, histogram.Count == 0 ? 0 : Math.Round(histogram.Sum / histogram.Count, 3), At(50), At(99));
    }

    /// <summary>The report's rows: a line per stage, then GC pauses and CPU per process.</summary>
    public IEnumerable<(string Label, string Value)> Rows()
    {
        if (Stages.Count > 0)
        {
            yield return ("stages", $"{"",-16} {"count",8} {"mean",9} {"p50",9} {"p99",9}   (ms; shard.batch in commands; p50/p99 within 19%)");
            foreach (var s in Stages)
            {
                yield return ("", string.Create(CultureInfo.InvariantCulture, $"{s.Stage,-16} {s.Count,8} {s.Mean,9:F2} {s.P50,9:F2} {s.P99,9:F2}"));
            }
        }
        if (Processes.Count > 0)
        {
            yield return ("gc pauses", string.Join(", ", Processes.Where(p => p.Gen0 >= 0 || p.Unread).Select(p => p.Unread ? NotRead(p) : string.Create(CultureInfo.InvariantCulture,
                $"{p.Process} {p.GcPauseMs:F0} ms ({p.Gen0}/{p.Gen1}/{p.Gen2} gen0/1/2)"))));
            yield return ("cpu", string.Join(", ", Processes.Select(p => p.Unread ? NotRead(p) : string.Create(CultureInfo.InvariantCulture, $"{p.Process} {p.CpuSeconds:F1} s"))));
        }
    }

    private static string NotRead(ProcessSummary process) => $"{process.Process} not read after the run";
}

/// <summary>A stage's histogram as read: samples, their sum, and counts by bucket upper bound.</summary>
public sealed record StageHistogram(long Count, double Sum, IReadOnlyDictionary<double, long> Buckets);

/// <summary>A process's runtime counters as read (milliseconds of GC pause and CPU, collections by generation).</summary>
public sealed record RuntimeCounters(double GcPauseMs, int Gen0, int Gen1, int Gen2, double CpuMs)
{
    /// <summary>This very process (the load generator).</summary>
    public static RuntimeCounters OfThisProcess() => new(GC.GetTotalPauseDuration().TotalMilliseconds, GC.CollectionCount(0), GC.CollectionCount(1),
        GC.CollectionCount(2), Environment.CpuUsage.TotalTime.TotalMilliseconds);

    /// <summary>A process only the operating system tells about: its CPU, no GC.</summary>
    public static RuntimeCounters OfCpu(double cpuMs) => new(0, -1, -1, -1, cpuMs);

    /// <summary>
    /// Processes that only the operating system can tell about (Azurite): CPU, no GC. They are the
    /// descendants of <paramref name="process"/> (Azurite runs under a shell that kills it when the
    /// tool goes away; the shell's own CPU is nothing, and a running child's is not in its parent's)
    /// whose command runs a program named <paramref name="prefix"/>… (azurite-blob, azurite-queue,
    /// azurite-table), each by that name: which storage service is busy, not only that Azurite is.
    /// Empty where /proc is not.
    /// </summary>
    public static Dictionary<string, RuntimeCounters> OfCpuByProgram(System.Diagnostics.Process process, string prefix) =>
        ProcessTree(process.Id)
            .Select(pid => (Pid: pid, Program: ProgramOf(pid, prefix)))
            .Where(p => p.Program is not null)
            .GroupBy(p => p.Program!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => OfCpu(g.Sum(p => CpuMsOf(p.Pid))), StringComparer.Ordinal);

    /// <summary>The file name of the first argument of the process's command line that begins with <paramref name="prefix"/>.</summary>
    private static string? ProgramOf(int pid, string prefix) =>
        Tools.ProcessTable.CommandLine(pid).Split('\0').Select(Path.GetFileName)
            .FirstOrDefault(name => name is not null && name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>A process and its descendants (Linux, from /proc; elsewhere the process alone).</summary>
    private static IEnumerable<int> ProcessTree(int pid) =>
        Tools.ProcessTable.Children(pid).SelectMany(ProcessTree).Prepend(pid);

    private static double CpuMsOf(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.TotalProcessorTime.TotalMilliseconds;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return 0; // exited meanwhile
        }
    }

    /// <summary>A <c>/stats/runtime</c> answer.</summary>
    public static RuntimeCounters Parse(JsonNode json) => new(json["gcPauseMs"]!.GetValue<double>(), json["gen0"]!.GetValue<int>(),
        json["gen1"]!.GetValue<int>(), json["gen2"]!.GetValue<int>(), json["cpuMs"]!.GetValue<double>());
}

/// <summary>One reading of a local cluster: the silos' stages added up, and each process's runtime counters.</summary>
public sealed record ClusterReading(Dictionary<string, StageHistogram> Stages, Dictionary<string, RuntimeCounters> Processes);

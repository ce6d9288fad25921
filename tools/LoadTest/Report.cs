using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Stratum.LoadTest;

/// <summary>The run's summary: printed as a table, written as report.json, drawn as chart.svg.</summary>
public sealed record Report(
    string Scenario, string Target, int Count, int Succeeded, int Failed, IReadOnlyDictionary<string, int> ErrorsByCode,
    double Seconds, double ThroughputPerSecond, Latency LatencyMs, InvariantReport? Invariants,
    double? SilosPeakMb, double? GatewayPeakMb, double? StorageRequestsPerVm, StageReport? Stages = null,
    IReadOnlyDictionary<string, string>? FirstErrorByCode = null, string? SiloKilled = null)
{
    /// <summary>How much of an error message the table shows: enough to say why, one line.</summary>
    public const int ErrorMessageWidth = 100;

    public string Table()
    {
        var errors = ErrorsByCode.Count == 0 ? "none" : string.Join(", ", ErrorsByCode.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"));
        var rows = new List<(string, string)>
        {
            ("scenario", $"{Scenario} via {Target}"), ("count", $"{Count}"), ("succeeded", $"{Succeeded}"), ("failed", $"{Failed} ({errors})"),
        };
        // The first message of each code, so the user sees why and not only how many.
        foreach (var code in ErrorsByCode.Keys.Order(StringComparer.Ordinal))
        {
            if (FirstErrorByCode?.GetValueOrDefault(code) is { } message)
            {
                rows.Add(($"error {code}", Shorten(message)));
            }
        }
        rows.AddRange(
        [
            ("duration", $"{Seconds:F1} s"), ("throughput", $"{ThroughputPerSecond:F0} /s"),
            ("latency ms", $"p50 {LatencyMs.P50:F1}  p95 {LatencyMs.P95:F1}  p99 {LatencyMs.P99:F1}  max {LatencyMs.Max:F1}"),
        ]);
        if (SiloKilled is { } killed)
        {
            rows.Add(("silo killed", killed));
        }
        if (Invariants is { } invariants)
        {
            rows.Add(("invariants", $"{(Scenario == "images" ? "images" : "instances")} {Mark(invariants.InstancesExact)}  refcount {Mark(invariants.RefCountExact)}  quota {Mark(invariants.QuotaExact)}"));
        }
        if (SilosPeakMb is { } silos)
        {
            rows.Add(("peak memory", $"silo {silos:F0} MB, gateway {GatewayPeakMb:F0} MB"));
        }
        if (StorageRequestsPerVm is { } perVm)
        {
            rows.Add(("storage requests", $"{perVm:F2} per {(Scenario == "images" ? "image" : "VM")}"));
        }
        rows.AddRange(Stages?.Rows() ?? []);
        var width = rows.Max(r => r.Item1.Length);
        return string.Join(Environment.NewLine, rows.Select(r => $"  {r.Item1.PadRight(width)}  {r.Item2}"));
    }

    private static string Mark(bool holds) => holds ? "exact" : "VIOLATED";

    /// <summary>One line of at most <see cref="ErrorMessageWidth"/> characters: a message may hold a whole response body.</summary>
    public static string Shorten(string message)
    {
        var line = string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= ErrorMessageWidth)
        {
            return line;
        }
        // Not between the halves of a surrogate pair, whose lone half a terminal or JSON can only mangle.
        var kept = char.IsHighSurrogate(line[ErrorMessageWidth - 2]) ? ErrorMessageWidth - 2 : ErrorMessageWidth - 1;
        return line[..kept] + "…";
    }

    public async Task WriteAsync(string directory, IReadOnlyList<(int Second, int Count, double P99)> perSecond)
    {
        Directory.CreateDirectory(directory);
        var json = new
        {
            scenario = Scenario, target = Target, count = Count, succeeded = Succeeded, failed = Failed, errorsByCode = ErrorsByCode, firstErrorByCode = FirstErrorByCode,
            seconds = Math.Round(Seconds, 3), throughputPerSecond = Math.Round(ThroughputPerSecond, 1),
            latencyMs = new { p50 = LatencyMs.P50, p95 = LatencyMs.P95, p99 = LatencyMs.P99, max = LatencyMs.Max },
            invariants = Invariants is null ? null : new { instancesExact = Invariants.InstancesExact, refCountExact = Invariants.RefCountExact, quotaExact = Invariants.QuotaExact, violations = Invariants.Violations },
            memoryMb = new { silosPeak = SilosPeakMb, gatewayPeak = GatewayPeakMb },
            storageRequestsPerVm = StorageRequestsPerVm, siloKilled = SiloKilled,
            stages = Stages?.Stages.Select(st => new { stage = st.Stage, count = st.Count, meanMs = st.Mean, p50Ms = st.P50, p99Ms = st.P99 }),
            processes = Stages?.Processes.Select(p => p.Unread ? (object)new { process = p.Process, unread = true }
                : new { process = p.Process, gcPauseMs = p.GcPauseMs, gen0 = p.Gen0, gen1 = p.Gen1, gen2 = p.Gen2, cpuSeconds = p.CpuSeconds }),
            // The chart's numbers, so a tail can be placed in time (the start of a new folder, or a pause mid-run).
            perSecond = perSecond.Select(p => new { second = p.Second, completed = p.Count, p99Ms = Math.Round(p.P99, 1) }),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        await File.WriteAllTextAsync(Path.Combine(directory, "chart.svg"), Chart(perSecond));
    }

    /// <summary>Throughput (bars) and p99 latency (line) for each second of the run.</summary>
    public string Chart(IReadOnlyList<(int Second, int Count, double P99)> perSecond)
    {
        const int width = 800, height = 320, left = 60, right = 60, top = 40, bottom = 40;
        var seconds = Math.Max(1, perSecond.Count == 0 ? 1 : perSecond[^1].Second + 1);
        var maxRate = Math.Max(1, perSecond.Select(p => p.Count).DefaultIfEmpty(0).Max());
        var maxP99 = Math.Max(1, perSecond.Select(p => p.P99).DefaultIfEmpty(0).Max());
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        string X(double second) => (left + second * plotW / seconds).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double value, double max) => (top + plotH - value * plotH / max).ToString("F1", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"20\" font-size=\"14\">Stratum {Scenario} via {Target}: {Succeeded} in {Seconds:F1} s</text>");
        var barWidth = Math.Max(1.0, plotW / (double)seconds - 1);
        foreach (var (second, count, _) in perSecond)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{X(second)}\" y=\"{Y(count, maxRate)}\" width=\"{barWidth:F1}\" height=\"{count * plotH / (double)maxRate:F1}\" fill=\"#7aa6d8\"/>");
        }
        var line = string.Join(" ", perSecond.Select(p => $"{X(p.Second + 0.5)},{Y(p.P99, maxP99)}"));
        svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{line}\" fill=\"none\" stroke=\"#d0463b\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{left + plotW}\" y2=\"{top + plotH}\" stroke=\"black\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 5}\" y=\"{top}\" text-anchor=\"end\" fill=\"#2f6db3\">{maxRate}/s</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW + 5}\" y=\"{top}\" fill=\"#d0463b\">p99 {maxP99:F0} ms</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW}\" y=\"{height - 10}\" text-anchor=\"end\">{seconds} s</text>");
        svg.Append("<text x=\"60\" y=\"310\" fill=\"#2f6db3\">bars: completed per second</text><text x=\"260\" y=\"310\" fill=\"#d0463b\">line: p99 latency</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}

namespace Stratum.LoadTest;

/// <summary>
/// Live progress of a run. On a terminal a bar redrawn in place (carriage returns); written to a
/// file or a CI log, where a redrawn bar becomes one enormous line, a plain line every few seconds
/// and the last sample's at the end. The bar's rate is that of the last sample's half second ("now");
/// a plain line's is that since the line before: a trial's plain lines said "0/s now" three times in a
/// row at 480/s (lines 5 s apart, as Azurite's table saves are: each met a stall, most likely). Neither
/// is the run's throughput, which the summary gives.
/// </summary>
public sealed class ProgressDisplay(TextWriter writer, bool terminal, TimeSpan? plainInterval = null)
{
    private readonly TimeSpan _plainInterval = plainInterval ?? TimeSpan.FromSeconds(5);
    /// <summary>When the last plain line was written and the count it gave; null before the first.</summary>
    private (double Seconds, int Done)? _lastPlain;
    private string? _unwritten;
    private bool _drawn;

    /// <summary>How often a sample is taken (and the bar redrawn on a terminal).</summary>
    public static TimeSpan SampleInterval { get; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One sample: <paramref name="seconds"/> into the run, <paramref name="done"/> of <paramref name="total"/>.</summary>
    public async Task ShowAsync(double seconds, int done, int total, double rate, int errors, double p99)
    {
        if (terminal)
        {
            var filled = total == 0 ? 0 : Math.Min(30, done * 30 / total);
            await writer.WriteAsync($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total}  {rate,6:F0}/s now  errors {errors}  p99 {p99:F0} ms   ");
            _drawn = true;
            return;
        }
        var (lastSeconds, lastDone) = _lastPlain ?? (0, 0);
        var span = seconds - lastSeconds;
        _unwritten = $"{seconds,7:F1} s  {done}/{total}  {(done - lastDone) / Math.Max(span, 0.001),6:F0}/s in the last {span:F1} s  errors {errors}  p99 {p99:F0} ms";
        if (_lastPlain is not null && span < _plainInterval.TotalSeconds)
        {
            return;
        }
        _lastPlain = (seconds, done);
        await writer.WriteLineAsync(_unwritten);
        _unwritten = null;
    }

    /// <summary>A line of its own amid the samples (a silo killed); on a terminal it replaces the bar, which the next sample draws again.</summary>
    public Task NoteAsync(string line) =>
        writer.WriteLineAsync(terminal && _drawn ? $"\r{EraseLine}{line}" : line);

    /// <summary>ANSI: erase from the cursor to the end of the line, so no part of the bar is left beside the note.</summary>
    private const string EraseLine = "\u001b[K";

    /// <summary>Ends the bar's line on a terminal; in plain lines, writes the last sample if it was not (a short run had none at its end).</summary>
    public async Task FinishAsync()
    {
        if (_drawn)
        {
            await writer.WriteLineAsync();
        }
        else if (_unwritten is { } last)
        {
            await writer.WriteLineAsync(last);
        }
    }
}

using System.Diagnostics;

namespace Stratum.Cli.Transfers;

/// <summary>Keeps a transfer at or under a number of bytes per second (--limit-rate), across all its parallel requests.</summary>
internal sealed class RateLimit(long? bytesPerSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _granted;

    public async Task TakeAsync(long bytes, CancellationToken cancellation)
    {
        if (bytesPerSecond is not { } rate)
        {
            return;
        }
        var total = Interlocked.Add(ref _granted, bytes);
        var due = TimeSpan.FromSeconds((double)total / rate) - _clock.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, cancellation);
        }
    }
}

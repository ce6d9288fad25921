namespace Stratum.Changes;

/// <summary>
/// When a silo's pulse is worth sending. Every consumer hears every event on the one queue, so
/// anything heard recently (news, or another silo's pulse; not its own) already told every cache
/// that the feed flows: a silo pulses only when it heard nothing for a whole interval. A lone silo
/// pulses every interval as before; a cluster of any size sends about one pulse an interval (plus
/// the feed's delay) while idle, and none while news flows.
/// </summary>
public sealed class PulseSchedule(TimeSpan interval, TimeProvider time)
{
    private long _lastHeard = long.MinValue;

    /// <summary>An event arrived from the feed that this silo did not send.</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeard, time.GetTimestamp());

    /// <summary>How often to ask <see cref="ShouldPulse"/>: often enough that silence is broken soon after an interval.</summary>
    public TimeSpan Tick => interval / 2;

    /// <summary>Whether a pulse should go out now: nothing was heard for an interval.</summary>
    public bool ShouldPulse()
    {
        var last = Interlocked.Read(ref _lastHeard);
        return last == long.MinValue || time.GetElapsedTime(last) >= interval;
    }
}

namespace Switchboard.Internal;

/// <summary>
/// Lets a repeated log event through once per interval and counts the occurrences it holds back, so that a condition
/// that repeats (a heal per publication, a failing write per batch) writes one line per interval with the count of
/// the others, never one line per occurrence. Time comes from a <see cref="TimeProvider"/> (a fake one in tests).
/// </summary>
/// <remarks>Thread safety: <see cref="ShouldLog"/> may be called from many threads; it takes a short lock.</remarks>
internal sealed class OncePerInterval
{
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly Lock _gate = new();
    private long _next;
    private bool _started;
    private int _held;

    public OncePerInterval(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>The interval of the event ids of the node's delivery and the Redis scale-out.</summary>
    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether this occurrence is logged. When it is, <paramref name="unlogged"/> is how many were held back since the
    /// last logged one (for the line to say so); when not, it is counted.
    /// </summary>
    public bool ShouldLog(out int unlogged)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_started && now < _next)
            {
                _held++;
                unlogged = 0;
                return false;
            }

            _started = true;
            _next = now + _intervalTicks;
            unlogged = _held;
            _held = 0;
            return true;
        }
    }
}

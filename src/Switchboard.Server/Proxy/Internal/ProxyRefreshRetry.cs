namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// When a connection's failed refresh call is tried again: <see cref="FirstDelay"/> after the first failure, twice as
/// long after each further one up to <see cref="MaxDelay"/>, each with ±20 % jitter so that the connections of a
/// backend that comes back do not all call in the same tick; until the connection expires (the monitor closes it
/// then). A backend that is down is not asked again every 250 ms tick by every expiring connection.
/// </summary>
/// <remarks>Thread safety: used by one refresh at a time per connection (its refreshing flag), read by the monitor's tick.</remarks>
internal sealed class ProxyRefreshRetry
{
    /// <summary>The wait after the first failure.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two calls.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private int _failures;
    private long _notBeforeUtcTicks;

    /// <summary>Whether the wait after the last failure is over at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => now.UtcTicks >= Volatile.Read(ref _notBeforeUtcTicks);

    /// <summary>Records a failure at <paramref name="now"/>; returns how long until the next try.</summary>
    public TimeSpan Failed(DateTimeOffset now, Random random)
    {
        var doublings = Math.Min(_failures, 5); // 1, 2, 4, 8, 16 s, then the cap.
        _failures++;
        var delay = TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks << doublings, MaxDelay.Ticks)) * (0.8 + (0.4 * random.NextDouble()));
        Volatile.Write(ref _notBeforeUtcTicks, (now + delay).UtcTicks);
        return delay;
    }

    /// <summary>A call succeeded: the next failure waits <see cref="FirstDelay"/> again.</summary>
    public void Succeeded()
    {
        _failures = 0;
        Volatile.Write(ref _notBeforeUtcTicks, 0);
    }
}

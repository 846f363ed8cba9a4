namespace Switchboard.Client;

/// <summary>
/// How a <see cref="SwitchboardClient"/> waits between connection attempts: exponential backoff with full jitter,
/// so that thousands of clients dropped by one server restart do not all come back in the same millisecond.
/// </summary>
/// <remarks>Thread safety: immutable once handed to a client; <see cref="GetDelay"/> is pure.</remarks>
public sealed class ReconnectPolicy
{
    /// <summary>The shortest wait before an attempt. Default 500 ms.</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait before an attempt. Default 20 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many times in a row the client retries after a failed or lost connection before it gives up and
    /// stays disconnected (0: never retries); <see langword="null"/> (the default) retries forever. A successful
    /// connection resets the count.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0 for the first retry after a loss):
    /// a uniformly random point between <see cref="MinDelay"/> and <c>min(MaxDelay, MinDelay * 2^(attempt + 1))</c>.
    /// </summary>
    /// <param name="attempt">How many retries have failed since the last successful connection.</param>
    /// <param name="random">A number in [0, 1), e.g. <see cref="Random.NextDouble"/>; passed in so the computation is pure.</param>
    public TimeSpan GetDelay(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var (min, ceiling) = GetBounds(attempt);
        var jitter = Math.Clamp(random, 0, 1);
        return TimeSpan.FromTicks(min.Ticks + (long)((ceiling.Ticks - min.Ticks) * jitter));
    }

    /// <summary>The range <see cref="GetDelay"/> draws from for retry number <paramref name="attempt"/>.</summary>
    public (TimeSpan Min, TimeSpan Max) GetBounds(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var min = MinDelay < TimeSpan.Zero ? TimeSpan.Zero : MinDelay;
        var max = MaxDelay < min ? min : MaxDelay;

        // Full jitter (AWS architecture blog): the ceiling doubles per attempt and the delay is drawn below it, which
        // spreads a thundering herd better than a fixed delay plus a little noise. Computed in doubles: 2^attempt
        // overflows long ticks after ~60 attempts of retrying forever.
        var ceilingTicks = Math.Min(max.Ticks, min.Ticks * Math.Pow(2, Math.Min(attempt, 61) + 1));
        return (min, TimeSpan.FromTicks((long)Math.Max(ceilingTicks, min.Ticks)));
    }
}

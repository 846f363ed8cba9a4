using System.Threading.RateLimiting;

namespace Switchboard.Client.Internal;

/// <summary>
/// Paces what one connection sends to the command rate limit the server announced in <c>welcome</c>
/// (<c>limits.commands_per_second</c> and <c>command_burst</c>), so that a burst of commands waits here instead of
/// being refused with <c>rate_limited</c> (and, refused often enough, closed with 4004). A
/// <see cref="TokenBucketRateLimiter"/> like the server's, with a margin below the announced limit: a frame sent on
/// time can still arrive a little early relative to the previous one (network jitter), and the server counts by
/// arrival.
/// </summary>
/// <remarks>Thread safety: used by the connection's single send loop; disposed with the connection.</remarks>
internal static class SendPacer
{
    /// <summary>The share of the announced rate and burst the client uses.</summary>
    private const double Margin = 0.9;

    /// <summary>A limiter for <paramref name="commandsPerSecond"/> and <paramref name="burst"/>, or <see langword="null"/> when there is no limit.</summary>
    public static RateLimiter? Create(int commandsPerSecond, int burst)
    {
        if (commandsPerSecond <= 0)
        {
            return null;
        }

        var rate = commandsPerSecond * Margin;

        // About 100 refills a second keeps the pace smooth without a timer firing per token at high rates. The
        // limiter's timer counts whole milliseconds (it truncates), so the period is rounded up to one: 1 token per
        // 5.56 ms (180/s) became 1 per 5 ms, exactly the server's 200/s, and a paced client was refused under load.
        var perPeriod = Math.Max(1, (int)(rate / 100));
        var periodMs = Math.Ceiling(perPeriod * 1000 / rate);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = TokenLimit(burst),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(periodMs),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>
    /// The most commands to keep sent and unanswered at once under an announced limit (no limit: unbounded): half the
    /// server's burst, the pacer's own burst being the other half. The server counts by arrival. When it stalls (a busy
    /// machine), the commands in flight arrive together after the stall and take the tokens its bucket gained
    /// meanwhile, while this side's pacer gained the same tokens and spends them at once on the next ones: with the
    /// pacer's burst and the window each as big as the server's burst, that double spend met an empty bucket (measured:
    /// blocks of 33-38 commands refused, resent out of order). Window plus pacer burst below the server's burst cannot.
    /// </summary>
    public static int WindowFor(int commandsPerSecond, int burst) => commandsPerSecond <= 0 ? int.MaxValue : Math.Max(1, Math.Max(1, burst) / 2);

    // The rest of the burst, less one token for the auth message the server may have counted before welcome.
    private static int TokenLimit(int burst) => Math.Max(1, Math.Max(1, burst) - (Math.Max(1, burst) / 2) - 1);
}

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

        // About 100 refills a second keeps the pace smooth without a timer firing per token at high rates.
        var perPeriod = Math.Max(1, (int)(rate / 100));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One token is left for the auth message the server may have counted before welcome.
            TokenLimit = Math.Max(1, (int)(Math.Max(1, burst) * Margin) - 1),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / rate),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }
}

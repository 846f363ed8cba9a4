using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Security.Internal;

/// <summary>What the rate guard decided about one message.</summary>
internal enum RateDecision
{
    /// <summary>Within the limit: hand it to the protocol.</summary>
    Admitted,

    /// <summary>Over the limit: not handled; the protocol answers it in its own error format.</summary>
    Refused,

    /// <summary>Over the limit once too often: the connection is closing with 4004.</summary>
    Closing,
}

/// <summary>
/// One connection's message rate limit, for any protocol: a <see cref="RateLimiter"/> (the built-in protocol's is a
/// token bucket, refill = commands per second, size = burst). A message over the limit is not handled; too many
/// refusals within the abuse window close the connection with 4004.
/// </summary>
/// <remarks>
/// A replenishing limiter without auto-replenishment is replenished on demand from elapsed time (no timer per
/// connection). Thread safety: used only by its connection's receive loop.
/// </remarks>
internal sealed class CommandRateGuard : IDisposable
{
    private readonly RateLimiter _limiter;
    private readonly int _abuseThreshold;
    private readonly long _abuseWindowMs;
    private readonly ILogger _logger;
    private long _windowStart;
    private int _rejections;

    public CommandRateGuard(MessageRateLimit limit, ILogger logger)
    {
        _limiter = limit.CreateLimiter();
        _abuseThreshold = limit.AbuseThreshold;
        _abuseWindowMs = (long)limit.AbuseWindow.TotalMilliseconds;
        _logger = logger;
    }

    /// <summary>The built-in protocol's limit: a token bucket of <paramref name="burst"/> tokens refilled at <paramref name="commandsPerSecond"/>.</summary>
    public static MessageRateLimit TokenBucket(int commandsPerSecond, int burst, int abuseThreshold, TimeSpan abuseWindow) => new(
        () => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = commandsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        }),
        abuseThreshold,
        abuseWindow);

    /// <summary>Whether the connection may handle one more message now; closes it when refusals amount to abuse.</summary>
    public RateDecision Check(SwitchboardConnection connection)
    {
        if (_limiter is ReplenishingRateLimiter { IsAutoReplenishing: false } replenishing)
        {
            replenishing.TryReplenish();
        }

        using (var lease = _limiter.AttemptAcquire())
        {
            if (lease.IsAcquired)
            {
                return RateDecision.Admitted;
            }
        }

        var now = Environment.TickCount64;
        if (now - _windowStart > _abuseWindowMs)
        {
            _windowStart = now;
            _rejections = 0;
        }

        _rejections++;
        if (_abuseThreshold > 0 && _rejections >= _abuseThreshold)
        {
            SecurityLog.RateLimitAbuse(_logger, connection.Id, connection.Identity.UserId);
            // Queued replies go out first, so the client sees its refusals before the close.
            connection.Close(CloseCodes.RateLimitAbuse, "rate limit exceeded repeatedly", discardQueued: false);
            return RateDecision.Closing;
        }

        SecurityLog.RateLimited(_logger, connection.Id);
        return RateDecision.Refused;
    }

    public void Dispose() => _limiter.Dispose();
}

using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// One connection's command rate limit: a token bucket (refill = commands per second, size = burst). A command over
/// the limit is not executed and gets <c>rate_limited</c>; too many of those within the abuse window close the
/// connection with 4004.
/// </summary>
/// <remarks>
/// The bucket replenishes on demand from elapsed time (no timer per connection). Thread safety: used only by its
/// connection's receive loop.
/// </remarks>
internal sealed class CommandRateGuard : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly int _abuseThreshold;
    private readonly long _abuseWindowMs;
    private readonly ILogger _logger;
    private long _windowStart;
    private int _rejections;

    public CommandRateGuard(int commandsPerSecond, int burst, int abuseThreshold, TimeSpan abuseWindow, ILogger logger)
    {
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = commandsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _abuseThreshold = abuseThreshold;
        _abuseWindowMs = (long)abuseWindow.TotalMilliseconds;
        _logger = logger;
    }

    /// <summary>Whether the connection may execute <paramref name="message"/> now; when not, the client has been told.</summary>
    public bool TryAdmit(SwitchboardConnection connection, ReadOnlySpan<byte> message)
    {
        _bucket.TryReplenish();
        using (var lease = _bucket.AttemptAcquire())
        {
            if (lease.IsAcquired)
            {
                return true;
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
            // Queued replies go out first, so the client sees its rate_limited answers before the close.
            connection.Close(CloseCodes.RateLimitAbuse, "rate limit exceeded repeatedly", discardQueued: false);
            return false;
        }

        SecurityLog.RateLimited(_logger, connection.Id);

        // Parsed only for its id and type, so that the answer is the one the contract gives to any failed command.
        var parsed = CommandParser.Parse(message);
        var error = new ProtocolError(ErrorCodes.RateLimited, "too many commands, slow down");
        connection.Send(static (buffer, s) => MessageWriter.WriteCommandError(buffer, s.Id, s.error, s.TypeName), (parsed.Id, parsed.TypeName, error));
        return false;
    }

    public void Dispose() => _bucket.Dispose();
}

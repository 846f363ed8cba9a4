using Microsoft.Extensions.Logging;
using Switchboard.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// The log events of <see cref="StreamContinuity"/> (407-409, 430), each written at most once per
/// <see cref="OncePerInterval.DefaultInterval"/> with the count of those held back: a channel that heals on every
/// publication, or thousands of channels healing after a broker link comes back, write a line per interval, not per heal.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class ContinuityLog(ILogger logger, TimeProvider time)
{
    private readonly OncePerInterval _healed = new(time, OncePerInterval.DefaultInterval);
    private readonly OncePerInterval _interrupted = new(time, OncePerInterval.DefaultInterval);
    private readonly OncePerInterval _failed = new(time, OncePerInterval.DefaultInterval);
    private readonly OncePerInterval _gaveUp = new(time, OncePerInterval.DefaultInterval);

    public void StreamHealed(string channel, long offset, int count)
    {
        if (_healed.ShouldLog(out var unlogged))
        {
            DeliveryLog.StreamHealed(logger, channel, offset, count, unlogged);
        }
    }

    public void StreamInterrupted(string channel, long offset, string epoch, int count)
    {
        if (_interrupted.ShouldLog(out var unlogged))
        {
            DeliveryLog.StreamInterrupted(logger, channel, offset, epoch, count, unlogged);
        }
    }

    public void HealFailed(string channel, Exception exception)
    {
        if (_failed.ShouldLog(out var unlogged))
        {
            DeliveryLog.HealFailed(logger, channel, unlogged, exception);
        }
    }

    public void HealGaveUp(string channel, long delivered, long offset, string epoch, int count)
    {
        if (_gaveUp.ShouldLog(out var unlogged))
        {
            DeliveryLog.HealGaveUp(logger, channel, delivered, offset, epoch, count, unlogged);
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Internal;

/// <summary>Log messages of presence, the server API, the HTTP API and drain (event ids 400-499).</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(400, LogLevel.Warning, "The presence store failed for channel {Channel}; presence may be stale.")]
    public static partial void PresenceStoreFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(401, LogLevel.Information, "Draining {Count} connections with close 1001 in {Batches} batches over {Seconds} s.")]
    public static partial void DrainStarted(ILogger logger, int count, int batches, double seconds);

    [LoggerMessage(402, LogLevel.Warning, "Drain time is up: aborting {Count} connections that did not finish their close handshake.")]
    public static partial void DrainAborted(ILogger logger, int count);

    [LoggerMessage(403, LogLevel.Information, "Disconnected {Count} connections through the server API ({Target}).")]
    public static partial void Disconnected(ILogger logger, int count, string target);

    [LoggerMessage(404, LogLevel.Warning, "HTTP API request to {Path} rejected: missing or wrong API key.")]
    public static partial void ApiKeyRejected(ILogger logger, string path);

    [LoggerMessage(405, LogLevel.Error, "HTTP API request to {Path} failed.")]
    public static partial void ApiFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(406, LogLevel.Warning, "The broker is unavailable for an HTTP API request to {Path}.")]
    public static partial void ApiBrokerUnavailable(ILogger logger, string path, Exception exception);

    // 407-409 and 430 are written by ContinuityLog, at most once per interval each: {Unlogged} counts the others.
    [LoggerMessage(407, LogLevel.Information, "Channel {Channel}: delivered {Count} missed publications after offset {Offset} from history; the stream continues without a gap. Unlogged since the last such line: {Unlogged}.")]
    public static partial void StreamHealed(ILogger logger, string channel, long offset, int count, int unlogged);

    [LoggerMessage(408, LogLevel.Warning, "Channel {Channel}: history no longer holds what followed offset {Offset} (epoch {Epoch}); sent the gap notice to {Count} subscriptions. Unlogged since the last such line: {Unlogged}.")]
    public static partial void StreamInterrupted(ILogger logger, string channel, long offset, string epoch, int count, int unlogged);

    [LoggerMessage(409, LogLevel.Warning, "Channel {Channel}: reading history to fill a gap failed again and again; subscribers get the gap notice. Unlogged since the last such line: {Unlogged}.")]
    public static partial void HealFailed(ILogger logger, string channel, int unlogged, Exception exception);

    [LoggerMessage(430, LogLevel.Warning, "Channel {Channel}: the broker delivered offset {Offset} (epoch {Epoch}) after offset {Delivered}, and history does not hold what came between; sent the gap notice to {Count} subscriptions and continued from it. Unlogged since the last such line: {Unlogged}.")]
    public static partial void HealGaveUp(ILogger logger, string channel, long delivered, long offset, string epoch, int count, int unlogged);
}

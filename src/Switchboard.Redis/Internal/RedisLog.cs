using Microsoft.Extensions.Logging;

namespace Switchboard.Redis.Internal;

/// <summary>Log messages of the Redis scale-out (event ids 700-799).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(700, LogLevel.Information, "Switchboard Redis: connecting to {Endpoints} with key prefix '{Prefix}'.")]
    public static partial void Connecting(ILogger logger, string endpoints, string prefix);

    [LoggerMessage(701, LogLevel.Warning, "Switchboard Redis: connection {ConnectionType} to {Endpoint} failed ({FailureType}); publications may be missed until it is back; the node then fills the gaps from history.")]
    public static partial void ConnectionFailed(ILogger logger, string connectionType, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(702, LogLevel.Information, "Switchboard Redis: connection {ConnectionType} to {Endpoint} restored.")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType, string endpoint);

    [LoggerMessage(703, LogLevel.Warning, "Switchboard Redis: unsubscribing from {Channel} failed.")]
    public static partial void UnsubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(704, LogLevel.Error, "Switchboard Redis: a message on {RedisChannel} could not be decoded and was dropped.")]
    public static partial void UndecodableMessage(ILogger logger, string redisChannel, Exception? exception);

    [LoggerMessage(705, LogLevel.Warning, "Switchboard Redis: refreshing this node's presence failed; it is retried.")]
    public static partial void PresenceRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(706, LogLevel.Information, "Switchboard Redis: pub/sub delivery restored; checking every channel of this node against history.")]
    public static partial void DeliveryRestored(ILogger logger);
}

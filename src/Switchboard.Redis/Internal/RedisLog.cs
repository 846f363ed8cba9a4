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

    // Written at most once per interval (a batch per BatchInterval fails while Redis is down): {Unlogged} counts the others.
    [LoggerMessage(707, LogLevel.Warning, "Switchboard Redis: writing a batch of presence changes and control messages failed; presence changes are retried, control messages are lost (at most once). Unlogged since the last such line: {Unlogged}.")]
    public static partial void BatchFailed(ILogger logger, int unlogged, Exception exception);

    [LoggerMessage(708, LogLevel.Information, "Switchboard Redis: node {Node} joined the cluster bus.")]
    public static partial void NodeJoined(ILogger logger, string node);

    [LoggerMessage(709, LogLevel.Warning, "Switchboard Redis: node {Node} has not been heard from for {Seconds} s; it is taken as lost and its presence entries are removed.")]
    public static partial void NodeLost(ILogger logger, string node, double seconds);

    [LoggerMessage(710, LogLevel.Information, "Switchboard Redis: node {Node} left the cluster bus.")]
    public static partial void NodeLeft(ILogger logger, string node);

    [LoggerMessage(711, LogLevel.Error, "Switchboard Redis: a control bus frame could not be decoded and was dropped.")]
    public static partial void UndecodableFrame(ILogger logger, Exception? exception);

    [LoggerMessage(712, LogLevel.Warning, "Switchboard Redis: subscribing to the control bus failed; it is retried when Redis is back and at every heartbeat.")]
    public static partial void BusSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(713, LogLevel.Error, "Switchboard Redis: delivering a publication to this node's subscribers failed; the channel's next publications are still delivered.")]
    public static partial void DeliveryFailed(ILogger logger, Exception exception);
}

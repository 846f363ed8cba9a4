using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Internal;

/// <summary>The server's log messages, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} opened.")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} closed.")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(3, LogLevel.Warning, "Connection {ConnectionId} is a slow consumer: its outgoing queue passed {Limit} bytes; closing with 4003.")]
    public static partial void SlowConsumer(ILogger logger, string connectionId, long limit);

    [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} violated the WebSocket protocol; closed with {CloseStatus}.")]
    public static partial void ProtocolViolation(ILogger logger, string connectionId, int closeStatus);

    [LoggerMessage(5, LogLevel.Error, "Command {Command} on connection {ConnectionId} failed.")]
    public static partial void CommandFailed(ILogger logger, string command, string connectionId, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "The broker is unavailable.")]
    public static partial void BrokerUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Connection {ConnectionId} sent nothing for {Seconds} s; closing with 4002.")]
    public static partial void HeartbeatTimeout(ILogger logger, string connectionId, double seconds);

    [LoggerMessage(11, LogLevel.Error, "The protocol's {Callback} on connection {ConnectionId} failed.")]
    public static partial void ProtocolCallbackFailed(ILogger logger, string callback, string connectionId, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "Refused a WebSocket upgrade with 503: the server's connection limit (below its open-file limit) is reached.")]
    public static partial void UpgradeLimitReached(ILogger logger);

    [LoggerMessage(9, LogLevel.Debug, "Rejected a request to {Path}: not a WebSocket upgrade.")]
    public static partial void NotWebSocket(ILogger logger, string path);
}

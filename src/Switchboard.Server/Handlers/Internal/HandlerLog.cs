using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>The custom handlers' log messages, source-generated, with stable event ids.</summary>
internal static partial class HandlerLog
{
    [LoggerMessage(600, LogLevel.Error, "Handler {Handler} failed on a {Type} message of connection {ConnectionId}.")]
    public static partial void MessageFailed(ILogger logger, string handler, string? type, string connectionId, Exception exception);

    [LoggerMessage(601, LogLevel.Warning, "Handler {Handler}: the broker is unavailable for connection {ConnectionId}.")]
    public static partial void BrokerUnavailable(ILogger logger, string handler, string connectionId, Exception exception);

    [LoggerMessage(602, LogLevel.Error, "Handler {Handler}'s OnError failed on connection {ConnectionId}.")]
    public static partial void ErrorReplyFailed(ILogger logger, string handler, string connectionId, Exception exception);

    [LoggerMessage(603, LogLevel.Error, "Handler {Handler}'s AuthenticateAsync failed; the client is refused.")]
    public static partial void AuthenticationFailed(ILogger logger, string handler, Exception exception);

    [LoggerMessage(610, LogLevel.Information, "Handler {Handler}: connection {ConnectionId} reached the limit of {Limit} groups; its further joins are refused (logged once per connection).")]
    public static partial void GroupLimitReached(ILogger logger, string handler, string connectionId, int limit);
}

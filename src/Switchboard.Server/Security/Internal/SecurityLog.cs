using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Security.Internal;

/// <summary>The security log messages, source-generated, with stable event ids (300-399).</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(300, LogLevel.Debug, "Refused a WebSocket upgrade from origin {Origin}: not in Switchboard:AllowedOrigins.")]
    public static partial void OriginRefused(ILogger logger, string origin);

    [LoggerMessage(301, LogLevel.Debug, "Refused a connection from {Address}: {Reason}; closing with 1013.")]
    public static partial void ConnectionLimited(ILogger logger, string address, string reason);

    [LoggerMessage(302, LogLevel.Debug, "Authentication failed for a connection from {Address}: {Reason}; closing with 1008.")]
    public static partial void AuthenticationFailed(ILogger logger, string address, string reason);

    [LoggerMessage(303, LogLevel.Debug, "Connection {ConnectionId} exceeded its command rate limit.")]
    public static partial void RateLimited(ILogger logger, string connectionId);

    [LoggerMessage(304, LogLevel.Warning, "Connection {ConnectionId} (user {UserId}) kept exceeding its command rate limit; closing with 4004.")]
    public static partial void RateLimitAbuse(ILogger logger, string connectionId, string? userId);

    [LoggerMessage(305, LogLevel.Debug, "Connection {ConnectionId}: token of user {UserId} expired; closing with 4001.")]
    public static partial void TokenExpired(ILogger logger, string connectionId, string? userId);

    [LoggerMessage(306, LogLevel.Debug, "Connection {ConnectionId}: token of user {UserId} expires soon; sent token_expiring.")]
    public static partial void TokenExpiring(ILogger logger, string connectionId, string? userId);

    [LoggerMessage(307, LogLevel.Information, "Refused a WebSocket upgrade of a signed-in user from origin {Origin}: cookies and other ambient credentials are accepted from the server's own origin only (set Switchboard:AllowedOrigins or the endpoint's CORS policy to allow others).")]
    public static partial void CrossSiteSignInRefused(ILogger logger, string origin);

    [LoggerMessage(308, LogLevel.Information, "Token signing keys loaded from {Address}: {Count} keys.")]
    public static partial void ProviderKeysLoaded(ILogger logger, string address, int count);

    [LoggerMessage(309, LogLevel.Warning, "No token signing keys from {Address} yet: {Reason}. Tokens are refused and readiness is unhealthy until the keys load; retrying.")]
    public static partial void ProviderKeysUnavailable(ILogger logger, string address, string reason);
}

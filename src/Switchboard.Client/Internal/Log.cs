using Microsoft.Extensions.Logging;

namespace Switchboard.Client.Internal;

/// <summary>The client's log messages, source-generated, with stable event ids (500-599, and 800-849 for token handling).</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Information, "Connected to {Url} as {ClientId} (connection {Generation}).")]
    public static partial void Connected(ILogger logger, Uri url, string clientId, int generation);

    [LoggerMessage(501, LogLevel.Warning, "Connection {Generation} lost (close code {CloseCode}, {Reason}); reconnecting: {WillReconnect}.")]
    public static partial void ConnectionLost(ILogger logger, int generation, int? closeCode, string? reason, bool willReconnect);

    [LoggerMessage(502, LogLevel.Debug, "Connection attempt {Attempt} failed: {Reason}. Next attempt in {DelayMs} ms.")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string? reason, long delayMs);

    [LoggerMessage(503, LogLevel.Warning, "Giving up after {Attempts} failed connection attempts.")]
    public static partial void GaveUp(ILogger logger, int attempts);

    [LoggerMessage(504, LogLevel.Error, "The handler of channel {Channel} failed on offset {Offset}.")]
    public static partial void HandlerFailed(ILogger logger, string channel, long offset, Exception exception);

    [LoggerMessage(505, LogLevel.Warning, "A publication on {Channel} at offset {Offset} could not be read as {Type}; skipped.")]
    public static partial void DataNotDeserialized(ILogger logger, string channel, long offset, string type, Exception exception);

    [LoggerMessage(506, LogLevel.Warning, "The server could not recover {Channel} after a reconnect: publications may be missing.")]
    public static partial void NotRecovered(ILogger logger, string channel);

    [LoggerMessage(507, LogLevel.Warning, "The server refused to resubscribe {Channel}: {Code} {Message}.")]
    public static partial void ResubscribeFailed(ILogger logger, string channel, string code, string message);

    [LoggerMessage(508, LogLevel.Warning, "The server sent an error: {Code} {Message}.")]
    public static partial void ServerError(ILogger logger, string code, string message);

    [LoggerMessage(509, LogLevel.Debug, "Ignored a message that is not a JSON object with a type.")]
    public static partial void InvalidMessage(ILogger logger);

    [LoggerMessage(510, LogLevel.Information, "The token expires soon; refreshing.")]
    public static partial void RefreshingToken(ILogger logger);

    [LoggerMessage(511, LogLevel.Warning, "The token refresh failed.")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(512, LogLevel.Warning, "The server asked for a token refresh, but no token provider is configured.")]
    public static partial void NoTokenProvider(ILogger logger);

    [LoggerMessage(513, LogLevel.Error, "A connection attempt failed unexpectedly (the token provider threw, or the URL or token was refused by the WebSocket client).")]
    public static partial void AttemptFailedUnexpectedly(ILogger logger, Exception exception);

    [LoggerMessage(514, LogLevel.Error, "A StateChanged handler failed.")]
    public static partial void StateHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(800, LogLevel.Warning, "The token provider returned the token that is about to expire; not refreshing. The server closes the connection with 4001 at its expiry.")]
    public static partial void SameTokenNotRefreshed(ILogger logger);

    [LoggerMessage(515, LogLevel.Information, "The server could not continue channel {Channel} without a gap; subscribing again from the last position received.")]
    public static partial void GapNotice(ILogger logger, string channel);

    [LoggerMessage(516, LogLevel.Debug, "The server refused a {Type} with rate_limited; sending it again in {DelayMs} ms.")]
    public static partial void RateLimited(ILogger logger, string type, long delayMs);

    [LoggerMessage(517, LogLevel.Warning, "Channel {Channel}: offset {Offset} (epoch {Epoch}) does not follow the last publication received; subscribing again from the last one to recover what was skipped.")]
    public static partial void Discontinuity(ILogger logger, string channel, long offset, string epoch);
}

namespace Switchboard.Protocol;

/// <summary>
/// The WebSocket close codes of protocol v1 and what a client SDK does after each.
/// </summary>
public static class CloseCodes
{
    /// <summary>Normal closure. The client does not reconnect.</summary>
    public const int Normal = 1000;
    /// <summary>The server is going away (shutdown, drain). The client reconnects.</summary>
    public const int GoingAway = 1001;
    /// <summary>A binary frame on the JSON protocol. The client does not reconnect.</summary>
    public const int UnsupportedData = 1003;
    /// <summary>Authentication failed. The client does not reconnect until it has a new token.</summary>
    public const int PolicyViolation = 1008;
    /// <summary>A frame larger than the configured limit. The client does not reconnect.</summary>
    public const int MessageTooBig = 1009;
    /// <summary>Internal server error. The client reconnects.</summary>
    public const int InternalError = 1011;
    /// <summary>Try again later: connection limit or overload. The client reconnects with backoff.</summary>
    public const int TryAgainLater = 1013;
    /// <summary>The token expired without a valid refresh. The client gets a fresh token, then reconnects.</summary>
    public const int TokenExpired = 4001;
    /// <summary>Heartbeat timeout. The client reconnects.</summary>
    public const int HeartbeatTimeout = 4002;
    /// <summary>Slow consumer: the outgoing queue overflowed. The client reconnects and recovers.</summary>
    public const int SlowConsumer = 4003;
    /// <summary>Rate limit exceeded again and again. The client does not reconnect.</summary>
    public const int RateLimitAbuse = 4004;
    /// <summary>Disconnected by the server's API (kick). The client does not reconnect.</summary>
    public const int Kicked = 4005;

    /// <summary>Whether a client SDK should reconnect after the server closed with <paramref name="code"/>.</summary>
    /// <remarks>Unknown codes reconnect, as a network failure would: a client that gives up on an unknown code
    /// could stay offline for good after a server upgrade.</remarks>
    public static bool ShouldReconnect(int code) => code switch
    {
        Normal or UnsupportedData or PolicyViolation or MessageTooBig or RateLimitAbuse or Kicked => false,
        _ => true,
    };
}

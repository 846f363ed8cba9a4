namespace Switchboard.Protocol;

/// <summary>
/// The error codes of protocol v1, as sent in <c>error</c> messages and failed <c>result</c> messages.
/// </summary>
public static class ErrorCodes
{
    /// <summary>Invalid JSON, or a field that is missing or has the wrong type or value.</summary>
    public const string BadRequest = "bad_request";
    /// <summary>The command's <c>type</c> is not one the server knows.</summary>
    public const string UnknownType = "unknown_type";
    /// <summary>The command needs an authenticated connection.</summary>
    public const string Unauthorized = "unauthorized";
    /// <summary>The connection's user may not do this on this channel.</summary>
    public const string Forbidden = "forbidden";
    /// <summary>The thing named does not exist, e.g. an unknown rpc method.</summary>
    public const string NotFound = "not_found";
    /// <summary>An <c>unsubscribe</c> for a channel the connection is not subscribed to.</summary>
    public const string NotSubscribed = "not_subscribed";
    /// <summary>The connection sends commands faster than its rate limit allows.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>A value is larger than the configured limit.</summary>
    public const string TooLarge = "too_large";
    /// <summary>A count limit is reached, e.g. subscriptions per connection.</summary>
    public const string LimitExceeded = "limit_exceeded";
    /// <summary>A dependency of the server (e.g. the broker) is not available right now.</summary>
    public const string Unavailable = "unavailable";
    /// <summary>The server failed; details are in its log, never on the wire.</summary>
    public const string Internal = "internal";

    /// <summary>Every error code of protocol v1.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BadRequest, UnknownType, Unauthorized, Forbidden, NotFound, NotSubscribed,
        RateLimited, TooLarge, LimitExceeded, Unavailable, Internal,
    ];
}

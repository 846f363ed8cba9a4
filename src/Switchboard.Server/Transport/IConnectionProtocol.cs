using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Internal;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transport;

/// <summary>
/// A protocol plugged into the connection core. The core (upgrade, admission and authentication, the receive loop, the
/// bounded writer, heartbeats, limits, drain) knows no message format: it hands each whole text message to
/// <see cref="OnMessageAsync"/> and asks the protocol for the few bytes only it can write (a JSON ping, a rate-limit
/// refusal, the authentication handshake). The built-in protocol and every custom handler are implementations.
/// </summary>
/// <remarks>
/// Thread safety: one instance serves every connection of its endpoint. <see cref="OnConnectedAsync"/>,
/// <see cref="OnMessageAsync"/>, <see cref="OnRateLimited"/> and <see cref="OnDisconnectedAsync"/> of one connection are
/// called one at a time, in that order, by its receive loop.
/// </remarks>
internal interface IConnectionProtocol
{
    /// <summary>The WebSocket subprotocol to accept among the ones the client asked for, or <see langword="null"/>.</summary>
    string? SelectSubProtocol(IList<string> requested);

    /// <summary>
    /// Whether a client may ask (<c>?batch=1</c>) for several messages per frame, joined by <c>\n</c>. Only for protocols
    /// whose clients split frames; others always get one message per frame.
    /// </summary>
    bool SupportsBatching { get; }

    /// <summary>How the core keeps the connection alive and detects a dead peer.</summary>
    ConnectionHeartbeat Heartbeat { get; }

    /// <summary>How the core authenticates a connection before it starts.</summary>
    ConnectionAuthentication Authentication { get; }

    /// <summary>
    /// The message rate limit of one connection, or <see langword="null"/> for none. A message over the limit is not
    /// handed to <see cref="OnMessageAsync"/>; <see cref="OnRateLimited"/> answers it instead.
    /// </summary>
    MessageRateLimit? RateLimit { get; }

    /// <summary>
    /// Called before the upgrade is accepted (before the 101 response), for registrations that must be in place by the
    /// time the client sees the socket open. The result reaches <see cref="OnConnectedAsync"/> as
    /// <see cref="SwitchboardConnection.ProtocolState"/>, or <see cref="AbandonAsync"/> when the connection never starts.
    /// </summary>
    ValueTask<object?> BeforeAcceptAsync(HttpContext context);

    /// <summary>Undoes <see cref="BeforeAcceptAsync"/> for a connection that was refused or failed before it started.</summary>
    ValueTask AbandonAsync(object? state);

    /// <summary>Called once the connection is registered and its writer runs, before its first message.</summary>
    ValueTask OnConnectedAsync(SwitchboardConnection connection, HttpContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Handles one whole text message. <paramref name="message"/> is only valid during the call. Work that should stop
    /// when the connection goes takes <see cref="SwitchboardConnection.CommandsCancelled"/>, read only where it is
    /// needed (the first read creates the connection's token source).
    /// </summary>
    ValueTask OnMessageAsync(SwitchboardConnection connection, ReadOnlyMemory<byte> message);

    /// <summary>Answers a message refused by the rate limit, in the protocol's own error format.</summary>
    void OnRateLimited(SwitchboardConnection connection, ReadOnlyMemory<byte> message);

    /// <summary>Called once when the connection has ended, before it leaves its subscriptions (groups).</summary>
    ValueTask OnDisconnectedAsync(SwitchboardConnection connection);
}

/// <summary>How the core keeps a connection alive.</summary>
internal enum HeartbeatKind
{
    /// <summary>The protocol's JSON ping message, sent after a silence of the ping interval; silence past the pong timeout closes with 4002.</summary>
    Json,

    /// <summary>WebSocket ping frames (RFC 6455 §5.5.2) every ping interval; no pong within the pong timeout aborts the connection.</summary>
    WebSocket,

    /// <summary>No heartbeat.</summary>
    None,
}

/// <summary>The heartbeat a protocol chose.</summary>
/// <param name="Kind">JSON pings, WebSocket pings or none.</param>
/// <param name="PingMessage">With <see cref="HeartbeatKind.Json"/>: the encoded ping message.</param>
internal sealed record ConnectionHeartbeat(HeartbeatKind Kind, ReadOnlyMemory<byte> PingMessage)
{
    public static ConnectionHeartbeat WebSocketPings { get; } = new(HeartbeatKind.WebSocket, default);

    public static ConnectionHeartbeat None { get; } = new(HeartbeatKind.None, default);
}

/// <summary>A protocol's message rate limit.</summary>
/// <param name="CreateLimiter">Creates one connection's limiter. A replenishing limiter created without auto-replenishment is replenished on demand (no timer per connection).</param>
/// <param name="AbuseThreshold">Refusals within <paramref name="AbuseWindow"/> that close the connection with 4004; 0 never closes.</param>
/// <param name="AbuseWindow">The window refusals are counted in.</param>
internal sealed record MessageRateLimit(Func<RateLimiter> CreateLimiter, int AbuseThreshold, TimeSpan AbuseWindow);

/// <summary>How a connection's token is found and checked before it starts.</summary>
/// <param name="RequireToken">
/// Whether a connection without a token in the upgrade request (<c>?token=</c> or <c>Authorization: Bearer</c>) is
/// refused (or, with a <paramref name="Handshake"/>, asked for one). A token that is present is always checked when
/// the server has keys.
/// </param>
/// <param name="Handshake">The first-message authentication, or <see langword="null"/>.</param>
/// <param name="RejectReason">The close reason (1008) for a missing or invalid token; <see langword="null"/> says what was wrong.</param>
internal sealed record ConnectionAuthentication(Func<bool> RequireToken, IAuthenticationHandshake? Handshake, string? RejectReason)
{
    /// <summary>Whether a client without a token is let in by the application's backend when <c>Switchboard:Proxy:Connect:Url</c> is set (the built-in protocol).</summary>
    public bool UsesConnectProxy { get; init; }
}

/// <summary>
/// Authentication by the client's first message, on the accepted socket before the connection starts: the core sends
/// <see cref="Prompt"/> (if any), waits for one text message within the auth timeout, and hands it to
/// <see cref="CheckAsync"/>.
/// </summary>
internal interface IAuthenticationHandshake
{
    /// <summary>Whether the handshake runs for every connection (and a token in the request is ignored), rather than only for one without a token.</summary>
    bool Always { get; }

    /// <summary>What the server sends first, or empty.</summary>
    ReadOnlyMemory<byte> Prompt { get; }

    /// <summary>Checks the first message.</summary>
    ValueTask<HandshakeOutcome> CheckAsync(HttpContext context, ReadOnlyMemory<byte> message);
}

/// <summary>The outcome of a first-message authentication.</summary>
/// <param name="Identity">Who is connecting, or <see langword="null"/> when refused.</param>
/// <param name="Reply">Sent before the connection starts (success) or before the close (refusal); may be empty.</param>
/// <param name="CloseReason">With a refusal: the reason of the 1008 close.</param>
internal readonly record struct HandshakeOutcome(ConnectionIdentity? Identity, ReadOnlyMemory<byte> Reply, string? CloseReason);

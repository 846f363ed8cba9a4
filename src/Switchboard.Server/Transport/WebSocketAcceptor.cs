using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Transport;

/// <summary>
/// The one place that turns an upgrade request into a <see cref="WebSocket"/>. Everything about how the socket object
/// is created (keep-alive, compression, buffers) is decided here, so that changing it touches nothing else.
/// </summary>
internal static class WebSocketAcceptor
{
    /// <summary>
    /// Completes the upgrade. With <see cref="HeartbeatKind.WebSocket"/>, the socket itself sends a ping frame every
    /// <paramref name="pingInterval"/> and aborts when no pong arrives within <paramref name="pongTimeout"/>; otherwise
    /// it sends no keep-alive frames (JSON heartbeats, which also detect a dead client, are the protocol's). A data frame
    /// whose header declares more than <paramref name="maxMessageSize"/> is reported by <see cref="FrameGuard"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Kestrel refused the upgrade (its upgraded-connection limit is reached).</exception>
    /// <remarks>
    /// On HTTP/1.1 the socket runs over <see cref="Internal.CoalescingStream"/> (installed by
    /// <see cref="Internal.CoalescingUpgrade.InstallAsync"/> in the endpoint's pipeline), so that the connection's
    /// writer can send a batch of frames in one write, and its reads pass a <see cref="FrameSizeGuard"/>. HTTP/2
    /// WebSockets have neither: an oversized frame there is found by the receive loop's count, as the bytes arrive.
    /// </remarks>
    public static async Task<WebSocket> AcceptAsync(HttpContext context, string? subProtocol, HeartbeatKind heartbeat, TimeSpan pingInterval, TimeSpan pongTimeout, int maxMessageSize)
    {
        var webSocketPings = heartbeat == HeartbeatKind.WebSocket;
        var accepted = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = webSocketPings ? pingInterval : TimeSpan.Zero,
            KeepAliveTimeout = webSocketPings ? pongTimeout : Timeout.InfiniteTimeSpan,
            DangerousEnableCompression = false,
        }).ConfigureAwait(false);

        // Plain clients' frames leave in one write per batch when the upgrade went through CoalescingUpgrade.
        return Internal.CoalescingUpgrade.Wrap(context, accepted, maxMessageSize);
    }

    /// <summary>The frame-size guard of an accepted socket, or <see langword="null"/> when it has none (HTTP/2).</summary>
    public static FrameSizeGuard? FrameGuard(WebSocket socket) => (socket as Internal.CoalescingWebSocket)?.Frames;
}

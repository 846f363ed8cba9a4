using System.Net.WebSockets;

namespace Switchboard.Server.Internal;

/// <summary>
/// The platform's server WebSocket over a <see cref="CoalescingStream"/>, with one addition: <see cref="SendAsync(ReadOnlyMemory{byte}, bool)"/>
/// lets the connection's writer say that more messages follow, so that their frames leave in one socket write.
/// Everything else is the wrapped socket's.
/// </summary>
/// <remarks>Thread safety: as the wrapped <see cref="WebSocket"/>; only the connection's writer calls the batching send.</remarks>
internal sealed class CoalescingWebSocket(WebSocket inner, CoalescingStream stream) : WebSocket
{
    /// <summary>What follows the frames this socket reads (the stream's).</summary>
    public Transport.FrameSizeGuard? Frames => stream.Frames;

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    /// <summary>
    /// Sends one text message as one frame. With <paramref name="flush"/> false the frame stays in the output pipe
    /// until a later send flushes; the last message of a batch must flush.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, bool flush)
    {
        stream.HoldFlush = !flush;
        return inner.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }

    /// <summary>Releases a held flush without sending (e.g. when the writer stops in the middle of a batch).</summary>
    public void ReleaseFlush() => stream.HoldFlush = false;

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose() => inner.Dispose();

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
}

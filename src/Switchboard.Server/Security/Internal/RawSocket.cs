using System.Diagnostics;
using System.Net.WebSockets;

namespace Switchboard.Server.Security.Internal;

/// <summary>What one read of a whole client message produced.</summary>
internal enum RawMessageKind
{
    Text,
    Binary,
    TooLarge,
    Closed,
}

/// <summary>
/// Receiving and closing on an accepted WebSocket before the connection proper starts (the admission and
/// auth handshake), when nothing else uses the socket yet.
/// </summary>
internal static class RawSocket
{
    /// <summary>Reads one whole message of at most <paramref name="maxSize"/> bytes. Never throws: a broken socket reads as closed.</summary>
    public static async Task<(RawMessageKind Kind, byte[] Data)> ReceiveAsync(WebSocket socket, int maxSize)
    {
        var buffer = new byte[Math.Min(4096, maxSize + 1)];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxSize + 1));
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (RawMessageKind.Closed, []);
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    return (RawMessageKind.Binary, []);
                }

                count += result.Count;
                if (count > maxSize)
                {
                    return (RawMessageKind.TooLarge, []);
                }

                if (result.EndOfMessage)
                {
                    return (RawMessageKind.Text, buffer[..count]);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return (RawMessageKind.Closed, []);
        }
    }

    /// <summary>
    /// Sends a close frame and waits up to <paramref name="timeout"/> for the client's, then aborts. <paramref name="pendingReceive"/>
    /// is a receive already in flight, which is the one to see the client's close frame. Never throws.
    /// </summary>
    public static async Task CloseAsync(WebSocket socket, int code, string reason, TimeSpan timeout, Task? pendingReceive = null)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var cts = new CancellationTokenSource(timeout);
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token).ConfigureAwait(false);
            }

            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            if (pendingReceive is not null)
            {
                // It may end with a data message that crossed our close (a client's auth message arriving just as the
                // auth timeout fires): that is not the close reply, so keep reading for it below.
                await pendingReceive.WaitAsync(timeout).ConfigureAwait(false);
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            await DrainUntilCloseAsync(socket).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // The client did not finish the handshake in time or went away: abort below.
        }
        finally
        {
            if (socket.State != WebSocketState.Closed)
            {
                socket.Abort();
            }
        }
    }

    private static async Task DrainUntilCloseAsync(WebSocket socket)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted after the close timeout, or the client went away.
        }
    }
}

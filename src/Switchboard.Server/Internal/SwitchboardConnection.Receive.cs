using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Internal;

/// <summary>The receive side of a connection: the protocol's connect and disconnect, and the receive loop.</summary>
internal sealed partial class SwitchboardConnection
{
    private int _ended;

    /// <summary>Runs the protocol's connect. A protocol that fails here closes the connection with 1011.</summary>
    private async ValueTask<bool> ConnectAsync(HttpContext context, CancellationToken aborted)
    {
        try
        {
            await _protocol.OnConnectedAsync(this, context, aborted).ConfigureAwait(false);
            return Volatile.Read(ref _closeRequested) == 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ProtocolCallbackFailed(_logger, "connect", Id, ex);
            Close(CloseCodes.InternalError, "internal error", discardQueued: false);
            return false;
        }
    }

    /// <summary>
    /// Ends the connection after its run: the protocol's disconnect (while its subscriptions are still in place, so
    /// that a handler can tell its groups), then every subscription leaves the node. Only the first call has an effect.
    /// </summary>
    public async Task EndAsync(SwitchboardNode node)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        try
        {
            await _protocol.OnDisconnectedAsync(this).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ProtocolCallbackFailed(_logger, "disconnect", Id, ex);
        }

        foreach (var subscription in Subscriptions.Values)
        {
            await node.RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
        }

        Metrics?.SubscriptionsChanged(-Subscriptions.Count);

        Subscriptions.Clear();
        Completed.TrySetResult();
    }

    /// <summary>The rate limit first (a refused message never reaches the protocol), then the protocol.</summary>
    private ValueTask HandleMessageAsync(ReadOnlyMemory<byte> message, CancellationToken aborted)
    {
        if (RateGuard is { } guard)
        {
            switch (guard.Check(this))
            {
                case RateDecision.Refused:
                    if (!PublishesReplied.IsCompleted)
                    {
                        return RefuseAfterPublishesAsync(message); // Replies stay in command order.
                    }

                    _protocol.OnRateLimited(this, message);
                    return ValueTask.CompletedTask;
                case RateDecision.Closing:
                    return ValueTask.CompletedTask;
            }
        }

        return _protocol.OnMessageAsync(this, message);
    }

    private async ValueTask RefuseAfterPublishesAsync(ReadOnlyMemory<byte> message)
    {
        await PublishesReplied.ConfigureAwait(false);
        _protocol.OnRateLimited(this, message);
    }

    private async Task ReceiveLoopAsync(CancellationToken aborted)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // A zero-byte read waits for the next frame without holding a buffer: idle connections cost no receive memory.
                var head = await _socket.ReceiveAsync(Memory<byte>.Empty, aborted).ConfigureAwait(false);
                if (head.MessageType == WebSocketMessageType.Close)
                {
                    Close((int?)_socket.CloseStatus ?? CloseCodes.Normal, string.Empty, discardQueued: true);
                    return;
                }

                if (head.MessageType == WebSocketMessageType.Binary)
                {
                    Close(CloseCodes.UnsupportedData, "binary frames are not supported", discardQueued: true);
                    return;
                }

                buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialReceiveBuffer, _options.MaxMessageSize + 1));
                var count = 0;
                var complete = head.EndOfMessage;
                while (!complete)
                {
                    if (count == buffer.Length)
                    {
                        buffer = Grow(buffer);
                    }

                    var result = await _socket.ReceiveAsync(buffer.AsMemory(count), aborted).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Close((int?)_socket.CloseStatus ?? CloseCodes.Normal, string.Empty, discardQueued: true);
                        return;
                    }

                    count += result.Count;
                    if (count > _options.MaxMessageSize)
                    {
                        Close(CloseCodes.MessageTooBig, $"message larger than {_options.MaxMessageSize} bytes", discardQueued: true);
                        return;
                    }

                    complete = result.EndOfMessage;
                }

                LastReceiveTimestamp = _time.GetTimestamp();
                Metrics?.MessageReceived(count);
                if (!BeginCommand())
                {
                    return;
                }

                try
                {
                    await HandleMessageAsync(buffer.AsMemory(0, count), aborted).ConfigureAwait(false);
                }
                finally
                {
                    EndCommand();
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
                if (Volatile.Read(ref _closeRequested) != 0)
                {
                    return;
                }
            }
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted || _socket.State == WebSocketState.Closed)
        {
            // ManagedWebSocket closes by itself on protocol violations such as invalid UTF-8 in a text frame (1007).
            Log.ProtocolViolation(_logger, Id, (int?)_socket.CloseStatus ?? 0);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection reset, abort or shutdown: the normal end of a connection that did not say goodbye.
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private byte[] Grow(byte[] buffer)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageSize + 1));
        buffer.CopyTo(bigger, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

}

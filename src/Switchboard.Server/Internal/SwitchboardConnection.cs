using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Internal;

/// <summary>
/// One client connection: the receive loop (which executes commands in arrival order), the writer, the
/// subscriptions, and the close handshake. Commands themselves are executed by <see cref="CommandDispatcher"/>.
/// </summary>
/// <remarks>
/// Thread safety: the receive loop owns <see cref="Subscriptions"/>; <see cref="Send"/> and <see cref="Close"/> may be
/// called from any thread (fan-out, heartbeats, shutdown, the server API).
/// </remarks>
internal sealed partial class SwitchboardConnection
{
    private const int InitialReceiveBuffer = 4 * 1024;

    private readonly WebSocket _socket;
    private readonly SwitchboardOptions _options;
    private readonly CommandDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _receiveEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;

    public SwitchboardConnection(WebSocket socket, bool batch, ConnectionIdentity identity, SwitchboardOptions options, CommandDispatcher dispatcher, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _dispatcher = dispatcher;
        _logger = logger;
        Identity = identity;
        Writer = new ConnectionWriter(socket, options.OutgoingQueueLimit, batch, options.MaxBatchSize, OnQueueOverflow);
    }

    /// <summary>Completed when the connection has ended and left every registry.</summary>
    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The connection id, sent in <c>welcome</c>.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Who is on the connection.</summary>
    public ConnectionIdentity Identity { get; set; }

    /// <summary>The publisher shown in <c>from</c> of this connection's publications.</summary>
    public PublisherInfo Publisher => field ??= new PublisherInfo(Id, Identity.UserId);

    public ConnectionWriter Writer { get; }

    /// <summary>The command rate limit, or <see langword="null"/> when commands are not rate limited.</summary>
    public Security.Internal.CommandRateGuard? RateGuard { get; init; }

    /// <summary>Subscriptions by channel or pattern. Owned by the receive loop.</summary>
    public Dictionary<string, ChannelSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary><see cref="Environment.TickCount64"/> of the last message received from the client.</summary>
    public long LastReceiveTicks { get; private set; } = Environment.TickCount64;

    /// <summary>The token expiry that <c>token_expiring</c> was last sent for. Used only by the token expiry monitor.</summary>
    public DateTimeOffset? ExpiryWarnedFor { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> of the last heartbeat ping sent.</summary>
    public long LastPingTicks { get; set; }

    /// <summary>The close code the server chose, once it started closing; otherwise <see langword="null"/>.</summary>
    public int? CloseCode => Volatile.Read(ref _closeRequested) != 0 ? (int)_closeStatus : null;

    /// <summary>Runs the connection until it closes. Sends <c>welcome</c> first.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        var sendLoop = RunSendSideAsync();
        Send(static (buffer, state) => MessageWriter.WriteWelcome(buffer, state.Id, state.Identity.UserId, state._options.NodeId, (int)Math.Ceiling(state._options.PingInterval.TotalSeconds)), this);
        try
        {
            await ReceiveLoopAsync(aborted).ConfigureAwait(false);
        }
        finally
        {
            _receiveEnded.TrySetResult();
            Close(CloseCodes.Normal, string.Empty, discardQueued: true);
            await sendLoop.ConfigureAwait(false);
        }
    }

    /// <summary>Encodes a message with <paramref name="write"/> and queues it.</summary>
    public bool Send<TState>(Action<IBufferWriter<byte>, TState> write, TState state)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        write(buffer, state);
        return Writer.TryEnqueue(buffer.WrittenMemory);
    }

    /// <summary>Queues an already encoded message.</summary>
    public bool Send(ReadOnlyMemory<byte> encoded) => Writer.TryEnqueue(encoded);

    /// <summary>
    /// Starts closing with <paramref name="code"/>: the writer stops (sending what is queued first unless
    /// <paramref name="discardQueued"/>), the close frame goes out, and the connection is aborted if the handshake does
    /// not finish within the close timeout. Only the first call has an effect.
    /// </summary>
    public void Close(int code, string reason, bool discardQueued)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = (WebSocketCloseStatus)code;
        _closeReason = reason;
        Writer.Complete(discardQueued);
        _ = AbortUnlessClosedAsync();
    }

    private void OnQueueOverflow()
    {
        if (CloseCode is not null)
        {
            return; // Already closing: the queue only fills because nothing is sent any more.
        }

        Log.SlowConsumer(_logger, Id, _options.OutgoingQueueLimit);
        Close(CloseCodes.SlowConsumer, "slow consumer: outgoing queue overflowed", discardQueued: true);
    }

    private async Task AbortUnlessClosedAsync()
    {
        // A frozen client never completes the handshake, and its send may be stuck on a full TCP window: abort frees both.
        var timeout = Task.Delay(_options.CloseTimeout);
        if (await Task.WhenAny(_receiveEnded.Task, timeout).ConfigureAwait(false) == timeout)
        {
            _socket.Abort();
        }
    }

    private async Task RunSendSideAsync()
    {
        try
        {
            await Writer.RunAsync().ConfigureAwait(false);
            if (Volatile.Read(ref _closeRequested) != 0 && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the socket was aborted: nothing left to send to.
            _socket.Abort();
        }
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

                LastReceiveTicks = Environment.TickCount64;
                if (!BeginCommand())
                {
                    return;
                }

                try
                {
                    await _dispatcher.ExecuteAsync(this, buffer.AsMemory(0, count)).ConfigureAwait(false);
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

    /// <summary>The peer's close status, once it sent one.</summary>
    public WebSocketCloseStatus? PeerCloseStatus => _socket.CloseStatus;
}

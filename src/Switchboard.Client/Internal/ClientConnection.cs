using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>How one connection ended.</summary>
/// <param name="Code">The server's close code, or <see langword="null"/> when it ended without one.</param>
/// <param name="Reason">The close reason or what failed.</param>
internal sealed record CloseInfo(int? Code, string? Reason);

/// <summary>
/// One WebSocket connection to the server: a receive loop that splits batched frames on '\n', a send loop fed by a
/// queue (so that callers never await the socket), and a heartbeat that pings a quiet server and gives up on a silent one.
/// </summary>
/// <remarks>Thread safety: <see cref="Send"/>, <see cref="Abort"/> and <see cref="CloseAsync"/> may be called from any thread.</remarks>
internal sealed class ClientConnection : IFrameSink, IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<ReadOnlyMemory<byte>> _outgoing = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<CloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TimeSpan> _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CloseInfo? _closeInfo;
    private (int Code, string Reason)? _closeToSend;
    private long _lastReceive = Environment.TickCount64;
    private Task _loops = Task.CompletedTask;
    private RateLimiter? _pacer;

    private ClientConnection(ClientWebSocket socket, int generation)
    {
        _socket = socket;
        Generation = generation;
    }

    /// <summary>The token this connection was opened with (or refreshed to), for a server that asks with <c>auth_required</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Counts the connections of one client, for logs.</summary>
    public int Generation { get; }

    /// <summary>Completes with the close information when both loops have ended.</summary>
    public Task<CloseInfo> Completion => _completion.Task;

    /// <inheritdoc />
    public int CommandWindow { get; private set; } = int.MaxValue;

    /// <summary>Completes with the server's ping interval when <c>welcome</c> arrives.</summary>
    public Task<TimeSpan> Welcome => _welcome.Task;

    /// <summary>Opens the WebSocket (TCP, TLS, upgrade). The caller then calls <see cref="Start"/>.</summary>
    public static async Task<ClientConnection> OpenAsync(Uri uri, string? token, int generation, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // Dead links are found by protocol heartbeats, which the server also uses; WebSocket pings would be a second mechanism.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.AddSubProtocol("switchboard.v1.json");
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ClientConnection(socket, generation);
    }

    /// <summary>Starts the loops. <paramref name="onMessage"/> gets every server message, one at a time, in order.</summary>
    public void Start(Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onMessage, TimeSpan? heartbeatTimeout)
    {
        var receive = Task.Run(() => ReceiveLoopAsync(onMessage));
        var send = Task.Run(SendLoopAsync);
        var heartbeat = Task.Run(() => HeartbeatLoopAsync(heartbeatTimeout));
        _loops = FinishAsync(receive, send, heartbeat);
    }

    /// <summary>Called by the message handler when <c>welcome</c> arrives.</summary>
    public void OnWelcome(TimeSpan pingInterval) => OnWelcome(pingInterval, 0, 0);

    /// <summary>Called by the message handler when <c>welcome</c> arrives; what is sent from now on is paced to the
    /// server's announced command rate limit (none when <paramref name="commandsPerSecond"/> is 0).</summary>
    public void OnWelcome(TimeSpan pingInterval, int commandsPerSecond, int commandBurst)
    {
        CommandWindow = SendPacer.WindowFor(commandsPerSecond, commandBurst);
        Volatile.Write(ref _pacer, SendPacer.Create(commandsPerSecond, commandBurst));
        _welcome.TrySetResult(pingInterval);
    }

    /// <summary>Queues a frame; returns false when the connection is closing.</summary>
    public bool Send(ReadOnlyMemory<byte> frame) => _outgoing.Writer.TryWrite(frame);

    /// <summary>Drops the connection at once, e.g. when the heartbeat finds it dead.</summary>
    public void Abort(string reason)
    {
        lock (_outgoing)
        {
            _closeInfo ??= new CloseInfo(null, reason);
        }

        _abort.Cancel();
        _socket.Abort();
    }

    /// <summary>Closes with a close handshake, waiting at most <paramref name="timeout"/> for the server's answer.</summary>
    public async Task CloseAsync(int code, string reason, TimeSpan timeout)
    {
        lock (_outgoing)
        {
            _closeInfo ??= new CloseInfo(code, reason);
            _closeToSend ??= (code, reason);
        }

        _outgoing.Writer.TryComplete();
        if (await Task.WhenAny(_completion.Task, Task.Delay(timeout)).ConfigureAwait(false) != _completion.Task)
        {
            Abort(reason);
        }
    }

    private async Task ReceiveLoopAsync(Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onMessage)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                // Silence is counted only while waiting on the socket: time spent handing messages to a slow handler
                // is backpressure (the server deals with it, 4003), not a dead link.
                Volatile.Write(ref _lastReceive, Environment.TickCount64);
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), _abort.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceive, Environment.TickCount64);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = _socket.CloseStatus is { } status ? (int)status : (int?)null;
                    lock (_outgoing)
                    {
                        _closeInfo ??= new CloseInfo(code, _socket.CloseStatusDescription);
                        _closeToSend ??= (code ?? 1000, "");
                    }

                    _outgoing.Writer.TryComplete();
                    return;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                // With ?batch=1 one frame may carry several messages separated by '\n' (never inside JSON: it is escaped).
                var remaining = message.WrittenMemory;
                while (!remaining.IsEmpty)
                {
                    var newline = remaining.Span.IndexOf((byte)'\n');
                    var line = newline < 0 ? remaining : remaining[..newline];
                    remaining = newline < 0 ? ReadOnlyMemory<byte>.Empty : remaining[(newline + 1)..];
                    if (!line.IsEmpty)
                    {
                        await onMessage(this, line).ConfigureAwait(false);
                    }
                }

                message.ResetWrittenCount();
            }
        }
        catch (Exception ex)
        {
            lock (_outgoing)
            {
                _closeInfo ??= new CloseInfo(null, ex is OperationCanceledException ? "aborted" : ex.Message);
            }

            _outgoing.Writer.TryComplete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var frame in _outgoing.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _pacer) is { } pacer)
                {
                    using var lease = await pacer.AcquireAsync(1, _abort.Token).ConfigureAwait(false);
                }

                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _abort.Token).ConfigureAwait(false);
            }

            (int Code, string Reason)? close;
            lock (_outgoing)
            {
                close = _closeToSend;
            }

            if (close is { } c && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)c.Code, c.Reason, _abort.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // A send failed: the link is gone. Aborting ends the receive loop too.
            Abort(ex is OperationCanceledException ? "aborted" : ex.Message);
        }
    }

    private async Task HeartbeatLoopAsync(TimeSpan? configuredTimeout)
    {
        TimeSpan ping;
        try
        {
            ping = await _welcome.Task.WaitAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // The server pings a silent client every `ping` seconds, so hearing nothing for longer than that plus a margin
        // means the link is dead, even when TCP has not noticed (a black hole never sends a reset).
        var timeout = configuredTimeout ?? ping + TimeSpan.FromSeconds(10);
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(timeout.TotalMilliseconds, ping.TotalMilliseconds) / 4, 20, 1000));
        var lastPing = Environment.TickCount64;
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var silent = now - Volatile.Read(ref _lastReceive);
                if (silent > timeout.TotalMilliseconds)
                {
                    Abort("heartbeat timeout");
                    return;
                }

                // A quiet server gets our ping, so a link that carries only our sends is still checked both ways.
                if (silent >= ping.TotalMilliseconds && now - lastPing >= ping.TotalMilliseconds)
                {
                    lastPing = now;
                    Send(CommandWriter.Ping);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FinishAsync(Task receive, Task send, Task heartbeat)
    {
        await receive.ConfigureAwait(false);
        // The receive loop has ended (close frame or failure); the send loop answers a close frame. Give it a moment.
        if (await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false) != send)
        {
            Abort("close handshake timed out");
        }

        await send.ConfigureAwait(false);
        _abort.Cancel();
        await heartbeat.ConfigureAwait(false);
        _welcome.TrySetCanceled();
        CloseInfo info;
        lock (_outgoing)
        {
            info = _closeInfo ?? new CloseInfo(null, "connection ended");
        }

        _completion.TrySetResult(info);
    }

    public async ValueTask DisposeAsync()
    {
        Abort("disposed");
        await _loops.ConfigureAwait(false);
        // _abort is not disposed: a late Abort (a racing DisconnectAsync) may still cancel it; it holds no timer.
        _socket.Dispose();
        if (Volatile.Read(ref _pacer) is { } pacer)
        {
            await pacer.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Internal;

/// <summary>
/// One client connection of any protocol: the receive loop (which hands whole messages to the protocol in arrival
/// order), the writer, the subscriptions, and the close handshake. What a message means is the
/// <see cref="IConnectionProtocol"/>'s business (the built-in protocol's <see cref="CommandDispatcher"/>, or a custom handler).
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
    private readonly IConnectionProtocol _protocol;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _receiveEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Created on the first read of CommandsCancelled: most connections never run a command that takes it, and an idle
    // connection should not carry a source it never uses (docs/performance.md: memory per connection). Never
    // disposed: it holds no timer, and a late Close may still cancel it.
    private CancellationTokenSource? _commandsCancelled;
    private int _commandsCancelRequested;
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;

    public SwitchboardConnection(WebSocket socket, bool batch, ConnectionIdentity identity, SwitchboardOptions options, IConnectionProtocol protocol, ILogger logger, TimeProvider? time = null)
    {
        _socket = socket;
        _time = time ?? TimeProvider.System;
        LastReceiveTimestamp = _time.GetTimestamp();
        _options = options;
        _protocol = protocol;
        _logger = logger;
        Identity = identity;
        Writer = new ConnectionWriter(socket, options.OutgoingQueueLimit, batch, options.MaxBatchSize, OnQueueOverflow);
    }

    /// <summary>Completed when the connection has ended and left every registry.</summary>
    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The connection id, sent in <c>welcome</c>.</summary>
    public string Id { get; init; } = NewId();

    /// <summary>A new connection id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Who is on the connection.</summary>
    public ConnectionIdentity Identity { get; set; }

    /// <summary>The publisher shown in <c>from</c> of this connection's publications.</summary>
    public PublisherInfo Publisher => field ??= new PublisherInfo(Id, Identity.UserId);

    public ConnectionWriter Writer { get; }

    /// <summary>The protocol the connection speaks.</summary>
    public IConnectionProtocol Protocol => _protocol;

    /// <summary>State the protocol keeps per connection (for a custom handler, its connection object).</summary>
    public object? ProtocolState { get; set; }

    /// <summary>The command rate limit, or <see langword="null"/> when commands are not rate limited.</summary>
    public CommandRateGuard? RateGuard { get; init; }

    /// <summary>The upgrade request's headers the application's backend gets with each proxy call (docs/proxy.md); empty without a proxy.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ForwardedHeaders { get; init; } = [];

    /// <summary>The node's instruments (messages in and out, commands), or <see langword="null"/> where nobody measures.</summary>
    public Diagnostics.SwitchboardMetrics? Metrics { get; init; }

    /// <summary>The error code of the command being executed, set when it failed (for the command counter).</summary>
    public string? CommandError { get; set; }

    /// <summary>Subscriptions by channel or pattern. Owned by the receive loop.</summary>
    public Dictionary<string, ChannelSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>The node's <see cref="TimeProvider.GetTimestamp"/> when the last message from the client arrived (or the connection opened).</summary>
    public long LastReceiveTimestamp { get; private set; }

    /// <summary>The token expiry that <c>token_expiring</c> was last sent for. Used only by the token expiry monitor.</summary>
    public DateTimeOffset? ExpiryWarnedFor { get; set; }

    /// <summary>1 while the refresh proxy is being asked to extend this connection (set and cleared with <see cref="Interlocked"/>).</summary>
    public int ProxyRefreshing;

    /// <summary>When a failed refresh call may be made again; <see langword="null"/> until one failed.</summary>
    public Proxy.Internal.ProxyRefreshRetry? ProxyRefreshRetry { get; set; }

    /// <summary>The node's <see cref="TimeProvider.GetTimestamp"/> when the last heartbeat ping was sent; 0 before the first.</summary>
    public long LastPingTimestamp { get; set; }

    /// <summary>The close code the server chose, once it started closing; otherwise <see langword="null"/>.</summary>
    public int? CloseCode => Volatile.Read(ref _closeRequested) != 0 ? (int)_closeStatus : null;

    /// <summary>
    /// Cancelled when the connection goes (the client disconnected or the socket was aborted), starts closing for any
    /// reason, or is drained (<see cref="CloseWhenIdle"/>): what RPC handlers and broker calls made for this
    /// connection's commands get, so that work nobody will read the answer to stops.
    /// </summary>
    public CancellationToken CommandsCancelled
    {
        get
        {
            if (Volatile.Read(ref _commandsCancelled) is { } existing)
            {
                return existing.Token;
            }

            if (Volatile.Read(ref _commandsCancelRequested) != 0)
            {
                return new CancellationToken(canceled: true); // Cancelled before anyone asked: no source needed.
            }

            var created = new CancellationTokenSource();
            var source = Interlocked.CompareExchange(ref _commandsCancelled, created, null) ?? created;

            // CancelCommands may have run between the check above and the exchange, found no source and cancelled
            // nothing. Both sides write with a full fence before they read the other's field, so at least one of them
            // sees the other: cancelling twice is harmless, missing it is not.
            if (source == created && Volatile.Read(ref _commandsCancelRequested) != 0)
            {
                _ = source.CancelAsync();
            }

            return source.Token;
        }
    }

    /// <summary>Runs the connection until it closes: the protocol's <see cref="IConnectionProtocol.OnConnectedAsync"/>, then the receive loop.</summary>
    public async Task RunAsync(HttpContext context, CancellationToken aborted)
    {
        var sendLoop = RunSendSideAsync();

        // A frame header that declares more than MaxMessageSize closes at once, not when its bytes never come.
        if (WebSocketAcceptor.FrameGuard(_socket) is { } frames)
        {
            frames.OnExceeded = OnFrameTooLarge;
        }

        using var disconnected = aborted.UnsafeRegister(static s => ((SwitchboardConnection)s!).CancelCommands(), this);
        try
        {
            if (await ConnectAsync(context, aborted).ConfigureAwait(false))
            {
                await ReceiveLoopAsync(aborted).ConfigureAwait(false);
            }
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
        return Send(buffer.WrittenMemory);
    }

    /// <summary>Queues an already encoded message.</summary>
    public bool Send(ReadOnlyMemory<byte> encoded)
    {
        if (!Writer.TryEnqueue(encoded))
        {
            return false;
        }

        Metrics?.MessagesSent(1, encoded.Length);
        return true;
    }

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
        CancelCommands();
        Writer.Complete(discardQueued);
        _ = AbortUnlessClosedAsync();
    }

    /// <summary>Cancels <see cref="CommandsCancelled"/>. Its callbacks (a handler's continuation among them) run on the
    /// thread pool, never inline on the caller, which may be the fan-out or the drain.</summary>
    private void CancelCommands()
    {
        Interlocked.Exchange(ref _commandsCancelRequested, 1);
        if (Volatile.Read(ref _commandsCancelled) is { } source)
        {
            _ = source.CancelAsync();
        }
    }

    private void OnFrameTooLarge() =>
        Close(CloseCodes.MessageTooBig, $"message larger than {_options.MaxMessageSize} bytes", discardQueued: true);

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
}

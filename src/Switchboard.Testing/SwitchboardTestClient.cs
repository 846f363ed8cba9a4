using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Switchboard.Testing;

/// <summary>
/// A plain WebSocket client speaking Switchboard's protocol v1 (docs/protocol.md) by hand, as a client in any language
/// would, for tests. A background loop reads every message (splitting batched frames on <c>'\n'</c>) into a queue;
/// every <c>Receive</c>/<c>Expect</c> method waits for a matching message with a timeout (<see cref="DefaultTimeout"/>
/// unless given) and throws <see cref="TimeoutException"/> when none came, so a test never sleeps.
/// </summary>
/// <remarks>
/// Messages that a wait did not match stay queued in arrival order for later waits: looking for one message never
/// loses another. Thread safety: sends may come from many threads; waits are meant for one test at a time.
/// </remarks>
public sealed partial class SwitchboardTestClient : IAsyncDisposable
{
    /// <summary>How long a wait lasts when no timeout is given: generous, because a loaded CI machine is slow, not broken.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly WebSocket _socket;
    private readonly Channel<JsonObject> _inbox = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<JsonObject> _pending = [];
    private readonly Task _receiveLoop;
    private long _nextId;
    private int _framesReceived;

    private SwitchboardTestClient(WebSocket socket)
    {
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The underlying socket, for tests that need raw frames.</summary>
    public WebSocket Socket => _socket;

    /// <summary>When set, the client answers every server <c>ping</c> with a <c>pong</c> (the ping is still queued).</summary>
    public bool AnswerPings { get; set; }

    /// <summary>The <c>welcome</c> message (read by <see cref="ConnectAsync"/> unless told not to).</summary>
    public JsonObject Welcome { get; private set; } = null!;

    /// <summary>WebSocket messages (frames) received so far: with <c>?batch=1</c> one may carry many protocol messages.</summary>
    public int FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>Whether the connection is still open.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open && !_closed.Task.IsCompleted;

    /// <summary>Connects to <paramref name="uri"/> (no WebSocket keep-alive pings of its own) and, unless <paramref name="expectWelcome"/> is false, waits for <c>welcome</c>.</summary>
    public static async Task<SwitchboardTestClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, bool expectWelcome = true)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using (var cts = new CancellationTokenSource(DefaultTimeout))
        {
            await socket.ConnectAsync(uri, cts.Token).ConfigureAwait(false);
        }

        return await AttachAsync(socket, expectWelcome).ConfigureAwait(false);
    }

    /// <summary>
    /// Speaks the protocol on a socket that is already open (such as one from <c>TestServer.CreateWebSocketClient()</c>,
    /// which connects to an app in the test's process) and, unless <paramref name="expectWelcome"/> is false, waits for
    /// <c>welcome</c>. The client owns the socket from here.
    /// </summary>
    public static async Task<SwitchboardTestClient> AttachAsync(WebSocket socket, bool expectWelcome = true)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var client = new SwitchboardTestClient(socket);
        if (expectWelcome)
        {
            try
            {
                client.Welcome = await client.ReceiveTypeAsync("welcome").ConfigureAwait(false);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return client;
    }

    /// <summary>Sends raw text as one frame (it need not be valid JSON: tests of bad input send anything).</summary>
    public Task SendRawAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends bytes as one frame of <paramref name="type"/>.</summary>
    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a command object serialized as JSON.</summary>
    public Task SendAsync(object command) => SendRawAsync(JsonSerializer.Serialize(command));

    /// <summary>Sends a command with a fresh numeric id and waits for its <c>result</c> (successful or not).</summary>
    public async Task<JsonObject> CommandAsync(JsonObject command, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = Interlocked.Increment(ref _nextId) + 1_000_000;
        command["id"] = id;
        await SendRawAsync(command.ToJsonString()).ConfigureAwait(false);
        return await ReceiveAsync(m => Type(m) == "result" && m["id"]?.GetValueKind() == JsonValueKind.Number && m["id"]!.GetValue<long>() == id, timeout).ConfigureAwait(false);
    }

    /// <summary>Sends a command and returns its <c>result</c> body; throws <see cref="SwitchboardCommandException"/> when it failed.</summary>
    public async Task<JsonNode?> OkAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var reply = await CommandAsync(command, timeout).ConfigureAwait(false);
        if (reply["success"]?.GetValue<bool>() != true)
        {
            throw new SwitchboardCommandException(reply);
        }

        return reply["result"];
    }

    /// <summary>Subscribes to a channel or pattern; returns the result (position, recovery).</summary>
    public Task<JsonNode?> SubscribeAsync(string channel) => OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = channel });

    /// <summary>Unsubscribes from a channel or pattern.</summary>
    public Task<JsonNode?> UnsubscribeAsync(string channel) => OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = channel });

    /// <summary>Publishes <paramref name="data"/> to a channel; returns the result (its offset).</summary>
    public Task<JsonNode?> PublishAsync(string channel, JsonNode? data) => OkAsync(new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = data });

    /// <summary>Calls an RPC method; returns what the handler answered.</summary>
    public Task<JsonNode?> RpcAsync(string method, JsonNode? parameters = null) => OkAsync(new JsonObject { ["type"] = "rpc", ["method"] = method, ["params"] = parameters });

    /// <summary>Waits for the next publication (<c>message</c>) on <paramref name="channel"/> and returns it.</summary>
    public Task<JsonObject> ExpectMessageAsync(string channel, TimeSpan? timeout = null) =>
        ReceiveAsync(m => Type(m) == "message" && m["channel"]?.GetValue<string>() == channel, timeout);

    /// <summary>
    /// Takes the oldest received message matching <paramref name="match"/>, waiting for one if needed. Messages that
    /// don't match stay queued, in order, for later calls.
    /// </summary>
    public async Task<JsonObject> ReceiveAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_pending)
        {
            var index = _pending.FindIndex(m => match(m));
            if (index >= 0)
            {
                var found = _pending[index];
                _pending.RemoveAt(index);
                return found;
            }
        }

        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var message = await _inbox.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                if (match(message))
                {
                    return message;
                }

                lock (_pending)
                {
                    _pending.Add(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching message arrived within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s");
        }
        catch (ChannelClosedException)
        {
            var (status, reason) = _closed.Task.Result;
            throw new InvalidOperationException($"the connection closed ({status?.ToString() ?? "no close frame"}: {reason}) before a matching message arrived");
        }
    }

    /// <summary>Takes the oldest message already received, without waiting.</summary>
    public bool TryReceive(out JsonObject? message)
    {
        lock (_pending)
        {
            if (_pending.Count > 0)
            {
                message = _pending[0];
                _pending.RemoveAt(0);
                return true;
            }
        }

        return _inbox.Reader.TryRead(out message);
    }

    /// <summary>Waits for the next message of a type (<c>message</c>, <c>ping</c>, <c>join</c>, …).</summary>
    public Task<JsonObject> ReceiveTypeAsync(string type, TimeSpan? timeout = null) => ReceiveAsync(m => Type(m) == type, timeout);

    /// <summary>Waits for the next message of any kind.</summary>
    public Task<JsonObject> ReceiveAnyAsync(TimeSpan? timeout = null) => ReceiveAsync(static _ => true, timeout);

    /// <summary>Reads <paramref name="count"/> publications (type <c>message</c>), in arrival order, within one timeout for all.</summary>
    public async Task<List<JsonObject>> ReceiveMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var messages = new List<JsonObject>(count);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (messages.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            messages.Add(await ReceiveTypeAsync("message", left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)).ConfigureAwait(false));
        }

        return messages;
    }

    /// <summary>Waits for the server to close the connection; returns its close status and reason (status <see langword="null"/> and a reason starting "aborted" when the connection broke without one).</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            return await _closed.Task.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("the server did not close the connection in time");
        }
    }

    /// <summary>Closes the connection normally and waits (up to 5 s) for the server's close frame.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                // CloseOutputAsync, not CloseAsync: the receive loop owns receiving and sees the server's close frame.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token).ConfigureAwait(false);
                await Task.WhenAny(_receiveLoop, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already broken: nothing to close.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _socket.Abort();
        _socket.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _sendLock.Dispose();
    }

    private static string? Type(JsonObject message) => message["type"]?.GetValueKind() == JsonValueKind.String ? message["type"]!.GetValue<string>() : null;

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    try
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (WebSocketException)
                    {
                        // The server did not wait for our half of the handshake.
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                Interlocked.Increment(ref _framesReceived);
                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                foreach (var line in text.Split('\n'))
                {
                    var parsed = JsonNode.Parse(line)!.AsObject();
                    if (AnswerPings && Type(parsed) == "ping")
                    {
                        _ = SendRawAsync("{\"type\":\"pong\"}");
                    }

                    _inbox.Writer.TryWrite(parsed);
                }
            }
        }
        catch (Exception ex)
        {
            // Any failure of the socket or a frame that is not JSON ends the connection for the test.
            _closed.TrySetResult((null, $"aborted ({ex.GetType().Name}: {ex.Message})"));
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }
}

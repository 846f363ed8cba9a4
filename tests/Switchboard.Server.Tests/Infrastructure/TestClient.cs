using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Switchboard.Server.Tests.Infrastructure;

/// <summary>
/// A plain WebSocket client speaking protocol v1 by hand, as any client in any language would. A background loop
/// reads every message (splitting batched frames on '\n') into a queue that tests wait on with timeouts.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonObject> _inbox = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<JsonObject> _pending = [];
    private readonly Task _receiveLoop;
    private long _nextId;

    private TestClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public ClientWebSocket Socket => _socket;

    /// <summary>When set, the client answers every server <c>ping</c> with a <c>pong</c> (the ping is still queued).</summary>
    public bool AnswerPings { get; set; }

    /// <summary>Frames received so far.</summary>
    public int FramesReceived;

    /// <summary>The <c>welcome</c> message (read by <see cref="ConnectAsync"/>).</summary>
    public JsonObject Welcome { get; private set; } = null!;

    public static async Task<TestClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, bool expectWelcome = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, cts.Token);
        var client = new TestClient(socket);
        if (expectWelcome)
        {
            client.Welcome = await client.ReceiveAsync(m => m["type"]?.GetValue<string>() == "welcome");
        }

        return client;
    }

    /// <summary>Sends raw text as one frame.</summary>
    public Task SendRawAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a command object as JSON.</summary>
    public Task SendAsync(object command) => SendRawAsync(JsonSerializer.Serialize(command));

    /// <summary>Sends a command with a fresh numeric id and waits for its result.</summary>
    public async Task<JsonObject> CommandAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId) + 1_000_000;
        command["id"] = id;
        await SendRawAsync(command.ToJsonString());
        return await ReceiveAsync(m => m["type"]?.GetValue<string>() == "result" && m["id"]?.GetValueKind() == JsonValueKind.Number && m["id"]!.GetValue<long>() == id, timeout);
    }

    /// <summary>Sends a command with an id and returns its <c>result</c> body; fails the test when it did not succeed.</summary>
    public async Task<JsonNode?> OkAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var reply = await CommandAsync(command, timeout);
        Assert.True(reply["success"]!.GetValue<bool>(), $"command failed: {reply.ToJsonString()}");
        return reply["result"];
    }

    public Task<JsonNode?> SubscribeAsync(string channel) => OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = channel });

    public Task<JsonNode?> PublishAsync(string channel, JsonNode? data) => OkAsync(new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = data });

    /// <summary>
    /// Takes the oldest received message matching <paramref name="match"/>, waiting for one if needed. Messages that
    /// don't match stay queued, in order, for later calls: a test never loses a message by looking for another.
    /// </summary>
    public async Task<JsonObject> ReceiveAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
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
                var message = await _inbox.Reader.ReadAsync(cts.Token);
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
            throw new TimeoutException("no matching message arrived in time");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the connection closed ({_closed.Task.Result.Status}) before a matching message arrived");
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

    /// <summary>Waits for the next message of a type.</summary>
    public Task<JsonObject> ReceiveTypeAsync(string type, TimeSpan? timeout = null) =>
        ReceiveAsync(m => m["type"]?.GetValue<string>() == type, timeout);

    /// <summary>Waits for the next message of any kind.</summary>
    public Task<JsonObject> ReceiveAnyAsync(TimeSpan? timeout = null) => ReceiveAsync(_ => true, timeout);

    /// <summary>Reads <paramref name="count"/> publications (type message), in arrival order.</summary>
    public async Task<List<JsonObject>> ReceiveMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var messages = new List<JsonObject>(count);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (messages.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            messages.Add(await ReceiveAsync(m => m["type"]?.GetValue<string>() == "message", left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)));
        }

        return messages;
    }

    /// <summary>Waits for the server to close the connection; returns its close status and reason.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        var task = _closed.Task;
        var finished = await Task.WhenAny(task, Task.Delay(timeout ?? DefaultTimeout));
        if (finished != task)
        {
            throw new TimeoutException("the server did not close the connection in time");
        }

        return await task;
    }

    /// <summary>Whether the connection is still open.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open && !_closed.Task.IsCompleted;

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    try
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    catch (WebSocketException)
                    {
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                Interlocked.Increment(ref FramesReceived);
                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                foreach (var line in text.Split('\n'))
                {
                    var parsed = JsonNode.Parse(line)!.AsObject();
                    if (AnswerPings && parsed["type"]?.GetValue<string>() == "ping")
                    {
                        _ = SendRawAsync("{\"type\":\"pong\"}");
                    }

                    _inbox.Writer.TryWrite(parsed);
                }
            }
        }
        catch (Exception)
        {
            _closed.TrySetResult((null, "aborted"));
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }

    /// <summary>Closes the connection normally.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                // CloseOutputAsync, not CloseAsync: the receive loop owns receiving and sees the server's close frame.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                await Task.WhenAny(_receiveLoop, Task.Delay(TimeSpan.FromSeconds(5)));
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _socket.Abort();
        _socket.Dispose();
        await _receiveLoop.ConfigureAwait(false);
    }
}

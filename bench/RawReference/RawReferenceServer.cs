using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Switchboard.Bench.RawReference;

/// <summary>
/// The floor of the comparison: Kestrel WebSockets with no protocol. <c>/ws</c> connections receive every message a
/// <c>/ws?role=pub</c> connection sends; <c>/ws?role=echo</c> gets each message back. Each message is copied once and
/// the same bytes go to every subscriber, each connection has one writer fed by a bounded queue, and idle connections
/// wait with zero-byte reads. It does not batch: one frame per message, as a plain broadcaster would.
/// </summary>
public static class RawReferenceServer
{
    private const int QueueLength = 4096;

    /// <summary>Builds the server; <paramref name="args"/> take <c>--urls</c> (default http://127.0.0.1:5200).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5200");
        }

        builder.Logging.ClearProviders();
        var app = builder.Build();
        var subscribers = new Subscribers();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var role = context.Request.Query["role"].ToString();
            var connection = new RawConnection(socket);
            var sending = connection.SendLoopAsync();
            if (role.Length == 0)
            {
                subscribers.Add(connection);
            }

            try
            {
                await connection.ReceiveLoopAsync(message =>
                {
                    if (role == "pub")
                    {
                        subscribers.Broadcast(message.ToArray()); // Encoded once, shared by every subscriber.
                    }
                    else if (role == "echo")
                    {
                        connection.TryEnqueue(message.ToArray());
                    }
                });
            }
            finally
            {
                subscribers.Remove(connection);
                connection.Complete();
                await sending;
            }
        });
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"raw reference broadcaster listening on {string.Join(", ", app.Urls)}/ws"));
        return app;
    }

    /// <summary>The subscriber set as a copy-on-write array, so a broadcast iterates without a lock.</summary>
    private sealed class Subscribers
    {
        private readonly Lock _gate = new();
        private RawConnection[] _all = [];

        public void Add(RawConnection connection)
        {
            lock (_gate)
            {
                _all = [.. _all, connection];
            }
        }

        public void Remove(RawConnection connection)
        {
            lock (_gate)
            {
                _all = Array.FindAll(_all, c => c != connection);
            }
        }

        public void Broadcast(byte[] message)
        {
            foreach (var connection in Volatile.Read(ref _all))
            {
                connection.TryEnqueue(message);
            }
        }
    }

    /// <summary>One connection: a bounded queue and one send loop; a full queue drops the connection (slow consumer).</summary>
    private sealed class RawConnection(WebSocket socket)
    {
        private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public void TryEnqueue(byte[] message)
        {
            if (!_queue.Writer.TryWrite(message))
            {
                socket.Abort();
            }
        }

        public void Complete() => _queue.Writer.TryComplete();

        public async Task SendLoopAsync()
        {
            try
            {
                await foreach (var message in _queue.Reader.ReadAllAsync())
                {
                    await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                socket.Abort();
            }
        }

        public async Task ReceiveLoopAsync(Action<ReadOnlySpan<byte>> onMessage)
        {
            try
            {
                while (true)
                {
                    var head = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                    if (head.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                    try
                    {
                        var count = 0;
                        var complete = head.EndOfMessage;
                        while (!complete && count < buffer.Length)
                        {
                            var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                            if (result.MessageType == WebSocketMessageType.Close)
                            {
                                return;
                            }

                            count += result.Count;
                            complete = result.EndOfMessage;
                        }

                        onMessage(buffer.AsSpan(0, count));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away.
            }
        }
    }
}

using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>A frozen subscriber is closed with 4003 and costs bounded memory; everyone else gets everything in order.</summary>
public sealed class SlowConsumerTests
{
    private const int QueueLimit = 64 * 1024;
    private const int RoundSize = 40; // About 46 KB per round: below the limit, so readers that keep up never overflow.

    [Fact]
    public async Task A_frozen_subscriber_is_closed_with_4003_while_the_others_get_every_message_in_order()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MaxMessageSize = 16 * 1024;
            o.OutgoingQueueLimit = QueueLimit;
            o.CloseTimeout = TimeSpan.FromMilliseconds(500);
        });
        var node = server.Services.GetRequiredService<SwitchboardNode>();
        await using var publisher = await server.ConnectAsync();
        var readers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => server.ConnectAsync("?batch=1")));
        using var frozen = await FrozenClient.ConnectAsync(server.WebSocketUri, "load.ticks");
        Assert.True(node.Connections.TryGet(frozen.ClientId, out var frozenConnection));
        try
        {
            foreach (var reader in readers)
            {
                await reader.SubscribeAsync("load.ticks");
            }

            var payload = new string('x', 1000);
            var published = 0;
            long maxQueued = 0;
            var roundsAfterClose = 0;
            for (var round = 0; round < 1000 && roundsAfterClose < 5; round++)
            {
                for (var i = 0; i < RoundSize - 1; i++)
                {
                    await publisher.SendAsync(new { type = "publish", channel = "load.ticks", data = new { n = ++published, payload } });
                }

                await publisher.PublishAsync("load.ticks", new JsonObject { ["n"] = ++published, ["payload"] = payload });
                maxQueued = Math.Max(maxQueued, frozenConnection.Writer.QueuedBytes);
                Assert.All(node.Connections.All, c => Assert.InRange(c.Writer.QueuedBytes, 0, QueueLimit));

                // Every reader gets this round, in order, before the next one starts.
                foreach (var reader in readers)
                {
                    var messages = await reader.ReceiveMessagesAsync(RoundSize);
                    Assert.Equal(Enumerable.Range(published - RoundSize + 1, RoundSize).Select(n => (long)n), messages.Select(m => m["offset"]!.GetValue<long>()));
                    Assert.Equal(published, messages[^1]["data"]!["n"]!.GetValue<int>());
                }

                if (frozenConnection.Completed.Task.IsCompleted)
                {
                    roundsAfterClose++;
                }
            }

            Assert.True(frozenConnection.Completed.Task.IsCompleted, $"the frozen client was not closed after {published} messages");
            Assert.Equal(CloseCodes.SlowConsumer, frozenConnection.CloseCode);
            Assert.InRange(maxQueued, 0, QueueLimit);
            Assert.False(node.Connections.TryGet(frozen.ClientId, out _));
            Assert.All(readers, r => Assert.True(r.IsOpen));

            // What the frozen client sees when it reads again: what the kernel still held, then the end of the
            // connection, either the 4003 close frame or (more likely: its send was stuck) the abort's reset.
            var ending = await frozen.ReadToEndAsync(TimeSpan.FromSeconds(10));
            Assert.True(ending is null || ending == (WebSocketCloseStatus)CloseCodes.SlowConsumer, $"ended with {ending}");
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A client that subscribes and then never reads again, with a tiny TCP receive buffer so that the server's writes
    /// back up quickly, as a phone in a tunnel would.
    /// </summary>
    private sealed class FrozenClient : IDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly HttpMessageInvoker _invoker;

        private FrozenClient(ClientWebSocket socket, HttpMessageInvoker invoker, string clientId)
        {
            _socket = socket;
            _invoker = invoker;
            ClientId = clientId;
        }

        public string ClientId { get; }

        public static async Task<FrozenClient> ConnectAsync(Uri uri, string channel)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(tcp, ownsSocket: true);
                },
            };
            var invoker = new HttpMessageInvoker(handler);
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var cts = new CancellationTokenSource(TestClient.DefaultTimeout);
            await socket.ConnectAsync(uri, invoker, cts.Token);

            var welcome = await ReadMessageAsync(socket, cts.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"subscribe\",\"channel\":\"{channel}\",\"id\":1}}"), WebSocketMessageType.Text, true, cts.Token);
            var result = await ReadMessageAsync(socket, cts.Token);
            Assert.True(result["success"]!.GetValue<bool>());
            return new FrozenClient(socket, invoker, welcome["client"]!.GetValue<string>());
        }

        /// <summary>Reads until the connection ends; returns the close status, or null when it was reset.</summary>
        public async Task<WebSocketCloseStatus?> ReadToEndAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer, cts.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return result.CloseStatus;
                    }
                }
            }
            catch (WebSocketException)
            {
                return null;
            }
        }

        public void Dispose()
        {
            _socket.Abort();
            _socket.Dispose();
            _invoker.Dispose();
        }

        private static async Task<JsonObject> ReadMessageAsync(ClientWebSocket socket, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            var count = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                count += result.Count;
                if (result.EndOfMessage)
                {
                    return JsonNode.Parse(buffer.AsSpan(0, count))!.AsObject();
                }
            }
        }
    }
}

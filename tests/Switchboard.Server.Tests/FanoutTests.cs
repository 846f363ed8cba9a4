using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests;

/// <summary>Fan-out under load: ordering with no loss, and a frozen subscriber that cannot hold the others back.</summary>
public sealed class FanoutTests
{
    [Fact]
    public async Task Ten_thousand_messages_reach_a_hundred_subscribers_in_order_with_none_lost()
    {
        await using var server = await TestServer.StartAsync();
        var subscribers = await ConnectSubscribersAsync(server, 100, "ordered");
        await using var publisher = await server.ConnectAsync();

        // Acknowledged publishes: the test's 100 readers share two cores with the server, and an unpaced burst would
        // (correctly) overflow their queues and close them as slow consumers, which is the other test's subject.
        await PublishPacedAsync(publisher, "ordered", 10_000, window: 100, i => i);

        var results = await Task.WhenAll(subscribers.Select(s => s.ReceiveMessagesAsync(10_000, TimeSpan.FromSeconds(60))));
        foreach (var messages in results)
        {
            Assert.Equal(Enumerable.Range(1, 10_000), messages.Select(m => m["data"]!.GetValue<int>()));
            Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), messages.Select(m => m["offset"]!.GetValue<long>()));
        }

        await Task.WhenAll(subscribers.Select(s => s.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task A_frozen_subscriber_is_closed_on_overflow_while_the_other_99_get_every_message()
    {
        const int burst = 5_000;
        const long queueLimit = 256 * 1024;
        await using var server = await TestServer.StartAsync(o =>
        {
            o.OutgoingQueueLimit = queueLimit;
            o.CloseTimeout = TimeSpan.FromMilliseconds(500);

            // The frozen client cannot answer pings: on a loaded machine the heartbeat (4002) came before the overflow.
            o.PingInterval = TimeSpan.FromMinutes(10);
        });
        var node = server.Services.GetRequiredService<SwitchboardNode>();
        var subscribers = await ConnectSubscribersAsync(server, 99, "burst");

        // The frozen client subscribes, then never reads again; a tiny receive buffer makes TCP push back at once.
        using var frozen = await ConnectFrozenAsync(server, "burst");
        var frozenId = node.Connections.All.Single(c => !subscribers.Any(s => s.Welcome["client"]!.GetValue<string>() == c.Id)).Id;
        Assert.True(node.Connections.TryGet(frozenId, out var frozenConnection));

        await using var publisher = await server.ConnectAsync();
        var payload = new string('p', 1000);
        await PublishPacedAsync(publisher, "burst", burst, window: 50, i => new JsonObject { ["i"] = i, ["payload"] = payload });

        var results = await Task.WhenAll(subscribers.Select(s => s.ReceiveMessagesAsync(burst, TimeSpan.FromSeconds(60))));
        foreach (var messages in results)
        {
            Assert.Equal(Enumerable.Range(1, burst), messages.Select(m => m["data"]!["i"]!.GetValue<int>()));
        }

        // The frozen one was closed as a slow consumer and has left the node, its queue released.
        await frozenConnection.Completed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CloseCodes.SlowConsumer, frozenConnection.CloseCode);
        Assert.False(node.Connections.TryGet(frozenId, out _));
        Assert.True(frozenConnection.Writer.QueuedBytes <= queueLimit);
        Assert.Equal(0, frozenConnection.Writer.QueuedBytes);

        await Task.WhenAll(subscribers.Select(s => s.DisposeAsync().AsTask()));
    }

    /// <summary>Publishes <paramref name="count"/> messages in windows: all but the last of each window without an id, then waits for the last one's result.</summary>
    private static async Task PublishPacedAsync(TestClient publisher, string channel, int count, int window, Func<int, JsonNode> data)
    {
        for (var i = 1; i <= count; i++)
        {
            if (i % window == 0 || i == count)
            {
                await publisher.PublishAsync(channel, data(i));
            }
            else
            {
                await publisher.SendRawAsync(new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = data(i) }.ToJsonString());
            }
        }
    }

    private static async Task<List<TestClient>> ConnectSubscribersAsync(TestServer server, int count, string channel)
    {
        var clients = new List<TestClient>(count);
        for (var i = 0; i < count; i++)
        {
            var client = await server.ConnectAsync("?batch=1");

            // Silent readers answer heartbeats, or a run slower than PingInterval + PongTimeout (a loaded CI machine)
            // would close them with 4002 mid-test.
            client.AnswerPings = true;
            await client.SubscribeAsync(channel);
            clients.Add(client);
        }

        return clients;
    }

    /// <summary>A raw WebSocket whose socket has a 4 KiB receive buffer and which stops reading after subscribing.</summary>
    private static async Task<ClientWebSocket> ConnectFrozenAsync(TestServer server, string channel)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        await client.ConnectAsync(server.WebSocketUri, new HttpMessageInvoker(handler), CancellationToken.None);
        var buffer = new byte[4096];
        await client.ReceiveAsync(buffer, CancellationToken.None); // welcome
        var subscribe = new JsonObject { ["type"] = "subscribe", ["channel"] = channel, ["id"] = 1 }.ToJsonString();
        await client.SendAsync(System.Text.Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, CancellationToken.None);
        var received = await client.ReceiveAsync(buffer, CancellationToken.None); // subscribe result; from here on it never reads
        var result = JsonNode.Parse(buffer.AsSpan(0, received.Count))!;
        Assert.True(result["success"]!.GetValue<bool>(), $"the frozen client's subscribe to '{channel}' failed: {result.ToJsonString()}");
        Assert.Equal(channel, (string?)result["result"]!["channel"]);
        return client;
    }
}

using System.Net.WebSockets;
using System.Text;
using NATS.Client.Core;
using Switchboard.Nats.Tests;
using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/LiveUpdates takes events from NATS too: a subject published on a real nats-server reaches the topic's subscribers.</summary>
public sealed class LiveUpdatesNatsTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task Order_created_published_on_nats_reaches_an_orders_subscriber()
    {
        var tokens = new Tokens();
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", tokens.SecretFlag, $"--Switchboard:Nats:Url={nats.Url}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!sample.Output.Contains("taking events of order.*", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the sample did not subscribe to order.* on NATS:\n" + sample.Output);
            await Task.Delay(50);
        }

        var token = tokens.Create(new() { ["sub"] = "u-5", ["username"] = "erin", ["roles"] = new[] { "user" } });
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(sample.WebSocketUri($"/ws?token={token}"), timeout.Token);
        Assert.Contains("\"type\":\"connection\"", await ReceiveAsync(socket, timeout.Token), StringComparison.Ordinal); // the mixin's hello
        Assert.Contains("\"type\":\"authenticated\"", await ReceiveAsync(socket, timeout.Token), StringComparison.Ordinal);
        await socket.SendAsync("""{"type":"subscribe","topics":["orders"]}"""u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal("""{"type":"subscribed","topics":["orders"]}""", await ReceiveAsync(socket, timeout.Token));

        await using var publisher = new NatsConnection(new NatsOpts { Url = nats.Url });
        await publisher.PublishAsync("order.created", """{"order_id":7,"status":"created"}"""u8.ToArray(), cancellationToken: timeout.Token);
        Assert.Equal("""{"type":"order_update","data":{"order_id":7,"status":"created"}}""", await ReceiveAsync(socket, timeout.Token));
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}

using System.Net.Sockets;
using System.Net.WebSockets;
using Switchboard.Cli.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>/metrics</c> of <c>switchboard serve</c> (OpenTelemetry's Prometheus exporter over the <c>Switchboard</c> meter):
/// after a known sequence of connects, subscribes, publishes and a slow-consumer close, the counters say exactly that.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_connects_publishes_deliveries_commands_and_a_slow_consumer_close()
    {
        using var server = await ServeProcess.StartAsync("--Switchboard:OutgoingQueueLimit=65536", "--Switchboard:CloseTimeout=00:00:00.500");
        using var publisher = await WebSocketProbe.ConnectAsync(server.WebSocketUri);
        using var reader = await WebSocketProbe.ConnectAsync(server.WebSocketUri);
        await publisher.ReceiveTypeAsync("welcome");
        await reader.ReceiveTypeAsync("welcome");

        await reader.SendAsync("""{"type":"subscribe","channel":"metrics.a","id":1}""");
        await reader.ReceiveTypeAsync("result");
        for (var i = 1; i <= 5; i++)
        {
            await publisher.SendAsync($$"""{"type":"publish","channel":"metrics.a","data":{"n":{{i}}},"id":{{i}}}""");
            await publisher.ReceiveTypeAsync("result");
            await reader.ReceiveTypeAsync("message");
        }

        await publisher.SendAsync("""{"type":"nonsense","id":99}""");
        Assert.Equal("unknown_type", (await publisher.ReceiveTypeAsync("result"))["error"]?["code"]?.GetValue<string>());

        var metrics = await server.ScrapeAsync();
        Assert.Equal(2, metrics.Sum("switchboard_connections_opened_total"));
        Assert.Equal(2, metrics.Sum("switchboard_connections_active"));
        Assert.Equal(1, metrics.Sum("switchboard_subscriptions_active"));
        Assert.Equal(1, metrics.Sum("switchboard_channels_active"));
        Assert.Equal(5, metrics.Sum("switchboard_publications_total"));
        Assert.Equal(5, metrics.Sum("switchboard_deliveries_total"));
        Assert.Equal(5, metrics.Sum("switchboard_commands_total", "switchboard_command=\"publish\""));
        Assert.Equal(1, metrics.Sum("switchboard_commands_total", "switchboard_command=\"subscribe\""));
        Assert.Equal(1, metrics.Sum("switchboard_commands_total", "error_type=\"unknown_type\""));
        Assert.Equal(7, metrics.Sum("switchboard_messages_received_total")); // subscribe, five publishes, nonsense
        Assert.True(metrics.Sum("switchboard_messages_sent_total") >= 2 + 1 + 5 + 5 + 1, metrics.Text); // welcomes, results, messages, error
        Assert.True(metrics.Sum("switchboard_io_received_bytes_total") > 0, metrics.Text);
        Assert.True(metrics.Sum("switchboard_command_duration_seconds_count", "switchboard_command=\"publish\"") == 5, metrics.Text);
        Assert.Equal(0, metrics.Sum("switchboard_slow_consumer_closes_total"));

        // Every publish is one broker round trip (the memory broker here); the subscribe made the node's broker
        // subscription and read the channel's position from history.
        const string BrokerPublish = "switchboard_broker_operation=\"publish\"";
        Assert.Equal(5, metrics.Sum("switchboard_broker_operations_total", BrokerPublish));
        Assert.Equal(5, metrics.Sum("switchboard_broker_duration_seconds_count", BrokerPublish));
        Assert.Equal(1, metrics.Sum("switchboard_broker_operations_total", "switchboard_broker_operation=\"subscribe\""));
        Assert.Equal(1, metrics.Sum("switchboard_broker_operations_total", "switchboard_broker_operation=\"history\""));
        Assert.Equal(0, metrics.Sum("switchboard_broker_operations_total", "error_type="));
        Assert.Equal(0, metrics.Sum("switchboard_gaps_healed_total"));

        // A subscriber that stops reading (a 4 KB receive buffer, never read) while 8 KB publications flood its channel.
        using var frozen = await ConnectFrozenAsync(server.WebSocketUri);
        await frozen.SendAsync("""{"type":"subscribe","channel":"metrics.flood","id":1}""");
        var payload = new string('x', 8 * 1024);
        for (var batch = 0; batch < 100 && (await server.ScrapeAsync()).Sum("switchboard_slow_consumer_closes_total") == 0; batch++)
        {
            for (var i = 0; i < 50; i++)
            {
                await publisher.SendAsync($$"""{"type":"publish","channel":"metrics.flood","data":"{{payload}}"}""");
            }
        }

        metrics = await server.ScrapeAsync();
        Assert.Equal(1, metrics.Sum("switchboard_slow_consumer_closes_total"));
        Assert.Equal(1, metrics.Sum("switchboard_connections_closed_total", "switchboard_close_code=\"4003\""));
        Assert.Equal(3, metrics.Sum("switchboard_connections_opened_total"));
        Assert.Equal(2, metrics.Sum("switchboard_connections_active"));
        Assert.True(metrics.Has("switchboard_outgoing_queue_size_bytes"), metrics.Text);
    }


    /// <summary>A WebSocket over a socket with a 4 KB receive buffer that the test never reads: the kernel soon stops taking data.</summary>
    private static async Task<WebSocketProbe> ConnectFrozenAsync(Uri uri)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return await WebSocketProbe.ConnectAsync(uri, invoker: new HttpMessageInvoker(handler));
    }
}

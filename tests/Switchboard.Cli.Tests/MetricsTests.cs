using System.Net.Sockets;
using System.Net.WebSockets;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>/metrics</c> of <c>switchboard serve</c> (OpenTelemetry's Prometheus exporter over the <c>Switchboard</c> meter):
/// after a known sequence of connects, subscribes, publishes and a slow-consumer close, the counters say exactly that.
/// </summary>
public sealed class MetricsTests
{
    private const string Received = "network_io_direction=\"receive\"";
    private const string Transmitted = "network_io_direction=\"transmit\"";

    [Fact]
    public async Task Metrics_count_connects_publishes_deliveries_commands_and_a_slow_consumer_close()
    {
        using var server = await ServeProcess.StartAsync("--Switchboard:OutgoingQueueLimit=65536", "--Switchboard:CloseTimeout=00:00:00.500");
        await using var publisher = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri, expectWelcome: false);
        await using var reader = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri, expectWelcome: false);
        await publisher.ReceiveTypeAsync("welcome");
        await reader.ReceiveTypeAsync("welcome");

        await reader.SendRawAsync("""{"type":"subscribe","channel":"metrics.a","id":1}""");
        await reader.ReceiveTypeAsync("result");
        for (var i = 1; i <= 5; i++)
        {
            await publisher.SendRawAsync($$"""{"type":"publish","channel":"metrics.a","data":{"n":{{i}}},"id":{{i}}}""");
            await publisher.ReceiveTypeAsync("result");
            await reader.ReceiveTypeAsync("message");
        }

        await publisher.SendRawAsync("""{"type":"nonsense","id":99}""");
        Assert.Equal("unknown_type", (await publisher.ReceiveTypeAsync("result"))["error"]?["code"]?.GetValue<string>());

        var metrics = await server.ScrapeAsync();
        Assert.Equal(2, metrics.Sum("switchboard_connection_opened_total"));
        Assert.Equal(2, metrics.Sum("switchboard_connection_active"));
        Assert.Equal(1, metrics.Sum("switchboard_subscription_active"));
        Assert.Equal(1, metrics.Sum("switchboard_channel_active"));
        Assert.Equal(5, metrics.Sum("switchboard_publications_total"));
        Assert.Equal(5, metrics.Sum("switchboard_deliveries_total"));
        Assert.Equal(5, metrics.Sum("switchboard_commands_total", "switchboard_command=\"publish\""));
        Assert.Equal(1, metrics.Sum("switchboard_commands_total", "switchboard_command=\"subscribe\""));
        Assert.Equal(1, metrics.Sum("switchboard_commands_total", "error_type=\"unknown_type\""));
        Assert.Equal(7, metrics.Sum("switchboard_message_count_total", Received)); // subscribe, five publishes, nonsense
        Assert.True(metrics.Sum("switchboard_message_count_total", Transmitted) >= 2 + 1 + 5 + 5 + 1, metrics.Text); // welcomes, results, messages, error
        Assert.True(metrics.Sum("switchboard_io_bytes_total", Received) > 0, metrics.Text);
        Assert.True(metrics.Sum("switchboard_io_bytes_total", Transmitted) > metrics.Sum("switchboard_io_bytes_total", Received), metrics.Text); // the five messages went out with their envelopes, plus the welcomes
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
        Assert.Equal(0, metrics.Sum("switchboard_gap_healed_total"));

        // A subscriber that stops reading (a 4 KB receive buffer, never read) while 8 KB publications flood its channel.
        using var frozen = await ConnectFrozenAsync(server.WebSocketUri);
        await frozen.SendAsync("""{"type":"subscribe","channel":"metrics.flood","id":1}"""u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var payload = new string('x', 8 * 1024);
        for (var batch = 0; batch < 100 && (await server.ScrapeAsync()).Sum("switchboard_slow_consumer_closes_total") == 0; batch++)
        {
            for (var i = 0; i < 50; i++)
            {
                await publisher.SendRawAsync($$"""{"type":"publish","channel":"metrics.flood","data":"{{payload}}"}""");
            }
        }

        metrics = await server.ScrapeAsync();
        Assert.Equal(1, metrics.Sum("switchboard_slow_consumer_closes_total"));
        Assert.Equal(1, metrics.Sum("switchboard_connection_duration_seconds_count", "switchboard_close_code=\"4003\""));
        Assert.Equal(1, metrics.Sum("switchboard_connection_duration_seconds_count"));
        Assert.Equal(3, metrics.Sum("switchboard_connection_opened_total"));
        Assert.Equal(2, metrics.Sum("switchboard_connection_active"));
        Assert.True(metrics.Has("switchboard_outgoing_queue_size_bytes"), metrics.Text);
    }


    /// <summary>A WebSocket over a socket with a 4 KB receive buffer that the test never reads: the kernel soon stops taking data.</summary>
    private static async Task<ClientWebSocket> ConnectFrozenAsync(Uri uri)
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
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(SwitchboardTestClient.DefaultTimeout);
        await socket.ConnectAsync(uri, new HttpMessageInvoker(handler), timeout.Token);
        return socket;
    }
}

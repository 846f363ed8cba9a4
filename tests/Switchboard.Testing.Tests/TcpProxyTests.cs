using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.Testing.Tests;

/// <summary>Each fault of <see cref="TcpProxy"/>, shown by what the two ends see (never by timing alone).</summary>
public sealed class TcpProxyTests
{
    [Fact]
    public async Task Cut_breaks_open_connections_and_refuses_new_ones_until_restored()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var proxy = new TcpProxy(server.Port);
        await using var client = await SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri);

        proxy.Cut();

        Assert.Null((await client.WaitForCloseAsync()).Status); // Reset: no close frame.
        await Assert.ThrowsAsync<WebSocketException>(() => SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri));
        proxy.Restore();
        await using var again = await SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri);
        Assert.Equal("back", (await again.RpcAsync("echo", "back"))!.GetValue<string>());
    }

    [Fact]
    public async Task ResetConnections_breaks_open_connections_and_new_ones_go_through()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var proxy = new TcpProxy(server.Port);
        await using var client = await SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri);

        proxy.ResetConnections();

        Assert.Null((await client.WaitForCloseAsync()).Status);
        await using var again = await SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri);
        Assert.Equal(2, proxy.Accepted);
    }

    [Fact]
    public async Task A_downstream_black_hole_delivers_requests_and_drops_replies()
    {
        using var target = new EchoTarget();
        await using var proxy = new TcpProxy(target.Port);
        using var client = await ConnectThroughAsync(proxy, target);
        var stream = client.GetStream();

        proxy.BlackHole(ProxyDirection.Downstream);
        await stream.WriteAsync("a"u8.ToArray());
        Assert.Equal("a", await target.NextReceivedAsync()); // Requests still arrive ...
        await WaitUntilAsync(() => proxy.BytesDropped == 1); // ... and the echo was read and dropped.
        proxy.Restore();
        await stream.WriteAsync("b"u8.ToArray());

        Assert.Equal("b", await ReadAsync(stream)); // The first byte back is the second echo: the first never came.
    }

    [Fact]
    public async Task A_black_hole_both_ways_keeps_the_connection_open_and_forwards_nothing()
    {
        using var target = new EchoTarget();
        await using var proxy = new TcpProxy(target.Port);
        using var client = await ConnectThroughAsync(proxy, target);
        var stream = client.GetStream();

        proxy.BlackHole();
        await stream.WriteAsync("a"u8.ToArray());
        await WaitUntilAsync(() => proxy.BytesDropped == 1);
        proxy.Restore();
        await stream.WriteAsync("b"u8.ToArray());

        Assert.Equal("b", await target.NextReceivedAsync()); // The target never saw "a" ...
        Assert.Equal("b", await ReadAsync(stream)); // ... and the same connection works again.
    }

    [Fact]
    public async Task Delay_holds_bytes_back_in_order_while_a_direct_path_overtakes_them()
    {
        using var target = new EchoTarget();
        await using var proxy = new TcpProxy(target.Port);
        using var delayed = new TcpClient();
        await delayed.ConnectAsync("127.0.0.1", proxy.Port);
        using var direct = new TcpClient();
        await direct.ConnectAsync("127.0.0.1", target.Port);

        proxy.Delay(TimeSpan.FromSeconds(3));
        await delayed.GetStream().WriteAsync("slow"u8.ToArray());
        await direct.GetStream().WriteAsync("fast"u8.ToArray());

        Assert.Equal("fast", await target.NextReceivedAsync());
        Assert.Equal("slow", await target.NextReceivedAsync());
        Assert.Equal("slow", await ReadAsync(delayed.GetStream(), 4)); // The echo comes back (delayed too), intact.
    }

    [Fact]
    public async Task Pause_freezes_the_client_side_so_the_server_closes_it_as_a_slow_consumer()
    {
        await using var server = await SwitchboardTestServer.StartAsync(o =>
        {
            o.OutgoingQueueLimit = 64 * 1024;
            o.CloseTimeout = TimeSpan.FromMinutes(1); // Long enough for the close frame to be read after the thaw.
        });
        await using var proxy = new TcpProxy(server.Port);
        await using var frozen = await SwitchboardTestClient.ConnectAsync(proxy.WebSocketUri);
        await frozen.SubscribeAsync("flood");
        await using var publisher = await server.ConnectAsync();

        proxy.Pause();
        // 12 MB: more than the server's socket buffer (at most 4 MB by Linux's default tcp_wmem) and the proxy's
        // small receive buffer can hold, so the server's outgoing queue for the frozen client overflows.
        var payload = new string('x', 8 * 1024);
        for (var i = 0; i < 1500; i++)
        {
            await publisher.SendRawAsync($$"""{"type":"publish","channel":"flood","data":"{{payload}}"}""");
        }

        await publisher.RpcAsync("echo", "all published"); // Replies come in order: every publish was handled.
        proxy.Resume();

        Assert.Equal(4003, (int?)(await frozen.WaitForCloseAsync(TimeSpan.FromSeconds(30))).Status);
    }

    /// <summary>Connects through the proxy and makes one round trip, so the proxy holds the connection (a black hole acts on open ones).</summary>
    private static async Task<TcpClient> ConnectThroughAsync(TcpProxy proxy, EchoTarget target)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", proxy.Port);
        await client.GetStream().WriteAsync("0"u8.ToArray());
        Assert.Equal("0", await target.NextReceivedAsync());
        Assert.Equal("0", await ReadAsync(client.GetStream()));
        return client;
    }

    private static async Task<string> ReadAsync(NetworkStream stream, int count = 1)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(SwitchboardTestClient.DefaultTimeout);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + SwitchboardTestClient.DefaultTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(10);
        }
    }
}

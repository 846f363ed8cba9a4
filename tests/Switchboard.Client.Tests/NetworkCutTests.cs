using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>The network fails under a live connection, through an in-test TCP proxy on 127.0.0.1.</summary>
public sealed class NetworkCutTests : IAsyncLifetime
{
    private static readonly ReconnectPolicy FastRetry = new() { MinDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };

    private ServerHost _server = null!;
    private TcpProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        // A 1 s ping interval lets the heartbeat find a dead link in seconds rather than the default 35.
        _server = await ServerHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromSeconds(1);
            // Long enough that the server never closes a live client with 4002 first: on this loaded machine a pong
            // was once more than 1 s late, and the 4002 reached the client before the black hole began.
            o.PongTimeout = TimeSpan.FromSeconds(10);
        });
        _proxy = new TcpProxy(_server.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_black_holed_link_is_found_by_the_heartbeat_and_the_client_reconnects_and_recovers()
    {
        var changes = new List<ConnectionStateChangedEventArgs>();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = _proxy.WebSocketUri,
            HeartbeatTimeout = TimeSpan.FromSeconds(3),
            Reconnect = FastRetry,
        });
        client.StateChanged += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e);
            }
        };
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("cut.blackhole", collector.Handler);
        await Publish.SeqAsync(_server.Broker, "cut.blackhole", 1, 10);
        await collector.WaitForAsync(10);

        _proxy.BlackHole();
        await Publish.SeqAsync(_server.Broker, "cut.blackhole", 11, 40);
        await client.WaitForStateAsync(ConnectionState.Reconnecting).OrTimeout();
        Assert.Equal("heartbeat timeout", client.LastDisconnect!.Reason);
        Assert.Null(client.LastDisconnect.CloseCode);

        await client.WaitForStateAsync(ConnectionState.Connected).OrTimeout();
        var items = await collector.WaitForAsync(50);
        Assert.Equal(Enumerable.Range(1, 50), Publish.Seqs(items));
        Assert.True(_proxy.Accepted >= 2);

        lock (changes)
        {
            var retries = changes.Where(c => c.Current == ConnectionState.Reconnecting).ToList();
            Assert.NotEmpty(retries);
            foreach (var retry in retries)
            {
                var (min, max) = FastRetry.GetBounds(retry.Attempt);
                Assert.InRange(retry.RetryIn!.Value, min, max);
            }
        }
    }

    [Fact]
    public async Task A_publish_whose_reply_was_lost_is_sent_again_after_reconnect_and_published_once()
    {
        await using var observer = new SwitchboardClient(new SwitchboardClientOptions { Url = _server.WebSocketUri });
        await observer.ConnectAsync().OrTimeout();
        var seen = new Collector();
        await using var watch = await observer.SubscribeAsync("cut.once", seen.Handler);

        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = _proxy.WebSocketUri, Reconnect = FastRetry });
        await client.ConnectAsync().OrTimeout();

        // The request reaches the server, which publishes it; the reply is lost with the connection.
        _proxy.BlackHole(ProxyDirection.Downstream);
        var publish = client.PublishAsync("cut.once", JsonDocument.Parse("{\"n\":1}").RootElement);
        var published = (await seen.WaitForAsync(1))[0];
        Assert.False(publish.IsCompleted);
        _proxy.ResetConnections();

        var result = await publish.OrTimeout();
        Assert.Equal(published.Offset, result.Offset);
        var history = await observer.HistoryAsync("cut.once");
        Assert.Single(history.Publications);
        Assert.Single(seen.Items);
        Assert.Equal(2, _proxy.Accepted);
    }

    [Fact]
    public async Task A_reset_connection_reconnects_at_once_and_the_subscription_continues()
    {
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = _proxy.WebSocketUri, Reconnect = FastRetry });
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("cut.reset", collector.Handler);
        for (var round = 0; round < 3; round++)
        {
            await Publish.SeqAsync(_server.Broker, "cut.reset", round * 20 + 1, 10);
            _proxy.ResetConnections();
            await Publish.SeqAsync(_server.Broker, "cut.reset", round * 20 + 11, 10);
            await collector.WaitForAsync((round + 1) * 20);
        }

        Assert.Equal(Enumerable.Range(1, 60), Publish.Seqs(collector.Items));
        Assert.Equal(4, _proxy.Accepted);
    }

    [Fact]
    public async Task An_rpc_already_sent_when_the_connection_drops_fails_rather_than_running_twice()
    {
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = _proxy.WebSocketUri, Reconnect = FastRetry });
        await client.ConnectAsync().OrTimeout();
        _proxy.BlackHole(ProxyDirection.Downstream);
        var rpc = client.RpcAsync("echo", JsonDocument.Parse("1").RootElement);
        _proxy.ResetConnections();

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => rpc.OrTimeout());
        Assert.Contains("may have run", error.Message);
        await client.WaitForStateAsync(ConnectionState.Connected).OrTimeout();
        Assert.Equal(1, (await client.RpcAsync("echo", JsonDocument.Parse("1").RootElement)).GetInt32());
    }
}

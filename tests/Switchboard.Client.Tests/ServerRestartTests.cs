using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>
/// The server stops in the middle of a stream and comes back on the same port. The in-memory broker's history would
/// die with the process, so the test keeps one <see cref="Switchboard.Brokers.MemoryBroker"/> across the stop
/// and the restart, as a persistent broker (Redis) would outlive a node.
/// </summary>
public sealed class ServerRestartTests
{
    [Fact]
    public async Task The_client_reconnects_by_itself_and_receives_every_publication_of_the_outage_once_and_in_order()
    {
        await using var server = await ServerHost.StartRestartableAsync(o => o.HistorySize = 5000);
        var states = new List<ConnectionState>();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(400) },
        });
        client.StateChanged += (_, e) =>
        {
            lock (states)
            {
                states.Add(e.Current);
            }
        };
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("stream.restart", collector.Handler);

        await Publish.SeqAsync(server.Broker, "stream.restart", 1, 100);
        await collector.WaitForAsync(100);

        await server.StopAsync();
        await client.WaitForStateAsync(ConnectionState.Reconnecting).OrTimeout();
        Assert.Equal(CloseCodes.GoingAway, client.LastDisconnect!.CloseCode);
        Assert.True(client.LastDisconnect.WillReconnect);

        // 1,000 publications during a ~3 s outage, while the client keeps trying to reconnect.
        for (var batch = 0; batch < 10; batch++)
        {
            await Publish.SeqAsync(server.Broker, "stream.restart", 101 + batch * 100, 100);
            await Task.Delay(300); // Paces the outage; nothing waits on it.
        }

        Assert.NotEqual(ConnectionState.Connected, client.State);
        await server.RestartAsync();
        await client.WaitForStateAsync(ConnectionState.Connected).OrTimeout();
        await Publish.SeqAsync(server.Broker, "stream.restart", 1101, 100);

        var items = await collector.WaitForAsync(1200);
        Assert.Equal(Enumerable.Range(1, 1200), Publish.Seqs(items));
        Assert.Equal(Enumerable.Range(1, 1200).Select(i => (long)i), items.Select(p => p.Offset));
        Assert.DoesNotContain(items, p => p.FollowsGap);
        Assert.True(subscription.Recovered);
        Assert.Contains(ConnectionState.Reconnecting, states);
    }

    [Fact]
    public async Task When_history_was_lost_the_next_publication_follows_a_gap()
    {
        await using var server = await ServerHost.StartRestartableAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        var resubscribed = new TaskCompletionSource<ResubscribedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("stream.lost", collector.Handler);
        subscription.Resubscribed += (_, e) => resubscribed.TrySetResult(e);
        await Publish.SeqAsync(server.Broker, "stream.lost", 1, 5);
        await collector.WaitForAsync(5);

        await server.StopAsync();
        server.Broker.Reset(); // Storage reset: a new epoch.
        await Publish.SeqAsync(server.Broker, "stream.lost", 6, 3);
        await server.RestartAsync();

        var e = await resubscribed.Task.OrTimeout();
        Assert.False(e.Recovered);
        Assert.False(subscription.Recovered);
        await Publish.SeqAsync(server.Broker, "stream.lost", 9, 1);
        var items = await collector.WaitForAsync(6);
        Assert.True(items[5].FollowsGap);
        Assert.Equal(9, items[5].Data.GetProperty("seq").GetInt32());
    }
}

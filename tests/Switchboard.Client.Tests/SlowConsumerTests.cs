using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>Backpressure from a slow handler, and subscriptions that overlap.</summary>
public sealed class SlowConsumerTests
{
    /// <remarks>
    /// The server answers a resubscribe with every missed publication in one result; a result larger than its
    /// outgoing queue limit would be closed with 4003 again on every attempt. So this test keeps a short history: the
    /// recovery fails cleanly (<c>recovered: false</c>) and the application must see the gap flagged, never a silent
    /// loss or a duplicate.
    /// </remarks>
    [Fact]
    public async Task A_stalled_handler_gets_the_client_closed_as_a_slow_consumer_and_it_reconnects_without_silent_loss()
    {
        await using var server = await ServerHost.StartAsync(o => o.HistorySize = 10);
        var disconnects = new List<DisconnectInfo>();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            SubscriptionBufferSize = 10,
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        });
        client.StateChanged += (_, e) =>
        {
            if (e.Disconnect is { } d)
            {
                lock (disconnects)
                {
                    disconnects.Add(d);
                }
            }
        };
        await client.ConnectAsync().OrTimeout();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("slow.consumer", async (p, ct) =>
        {
            await gate.Task;
            await collector.Handler(p, ct);
        });

        // 24 MB while the handler is stalled: more than the socket buffers and the server's 1 MiB queue hold. The
        // server decides on 4003 while these publish, so once they are done the overflow has happened.
        var padding = new string('x', 16 * 1024);
        for (var i = 1; i <= 1500; i++)
        {
            await server.Broker.PublishAsync(new Switchboard.Brokers.PublishRequest("slow.consumer",
                System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{i},\"pad\":\"{padding}\"}}"), null, null, new(10, TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(1)), CancellationToken.None);
        }

        var resubscribed = new TaskCompletionSource<ResubscribedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.Resubscribed += (_, e) => resubscribed.TrySetResult(e);
        gate.SetResult();
        await Wait.UntilAsync(() => { lock (disconnects) { return disconnects.Count > 0; } }, "the slow-consumer disconnect");

        // Published after the resubscribe: anything published before it belongs to the part that was not recovered.
        Assert.False((await resubscribed.Task.OrTimeout()).Recovered);
        await Publish.SeqAsync(server.Broker, "slow.consumer", 1501, 1);
        await Wait.UntilAsync(() => collector.Items.Any(p => p.Data.GetProperty("seq").GetInt32() == 1501), "the publication after the reconnect");

        lock (disconnects)
        {
            Assert.All(disconnects, d => Assert.True(d.CloseCode is null or CloseCodes.SlowConsumer, $"close {d.CloseCode}: {d.Reason}"));
        }

        // Offsets strictly increase (no duplicate); every jump is flagged as a gap.
        var items = collector.Items;
        Assert.True(items.Count < 1501, "some publications were dropped by the server, as a slow consumer's are");
        for (var i = 1; i < items.Count; i++)
        {
            Assert.True(items[i].Offset > items[i - 1].Offset);
            if (items[i].Offset != items[i - 1].Offset + 1)
            {
                Assert.True(items[i].FollowsGap, $"offset {items[i - 1].Offset} -> {items[i].Offset} without FollowsGap");
            }
        }

        Assert.False(subscription.Recovered);
    }

    [Fact]
    public async Task A_channel_and_a_pattern_that_matches_it_each_see_a_publication_once()
    {
        await using var server = await ServerHost.StartAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();
        var exact = new Collector();
        var pattern = new Collector();
        await using var a = await client.SubscribeAsync("overlap.a", exact.Handler);
        await using var b = await client.SubscribeAsync("overlap.*", pattern.Handler);
        await Publish.SeqAsync(server.Broker, "overlap.a", 1, 5);
        await Publish.SeqAsync(server.Broker, "overlap.b", 6, 1);
        await exact.WaitForAsync(5);
        await pattern.WaitForAsync(6);

        // A marker after everything, to be sure no late duplicate is on its way.
        await Publish.SeqAsync(server.Broker, "overlap.a", 7, 1);
        await exact.WaitForAsync(6);
        await pattern.WaitForAsync(7);
        Assert.Equal([1, 2, 3, 4, 5, 7], Publish.Seqs(exact.Items));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Publish.Seqs(pattern.Items));
    }
}

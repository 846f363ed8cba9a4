using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>
/// The client's own continuity check, against the real server through a relay that drops publication frames
/// without the server knowing: a live offset that does not follow the last one delivered makes the client subscribe
/// again from its last position, recovering what was skipped, or, where history no longer holds it, setting
/// <see cref="Publication{T}.FollowsGap"/> on the next publication. Never a silent jump.
/// </summary>
public sealed class ContinuityTests
{
    private static JsonElement Seq(int i) => JsonDocument.Parse($"{{\"seq\":{i}}}").RootElement;

    private static bool IsMessage(string frame, string channel, params long[] offsets) =>
        frame.StartsWith($"{{\"type\":\"message\",\"channel\":\"{channel}\"", StringComparison.Ordinal)
        && offsets.Any(o => frame.Contains($"\"offset\":{o},", StringComparison.Ordinal));

    [Fact]
    public async Task A_skipped_offset_in_the_live_stream_is_recovered_from_history()
    {
        await using var server = await ServerHost.StartAsync();
        await using var relay = await FrameDroppingRelay.StartAsync(server.WebSocketUri, frame => IsMessage(frame, "gap.one", 5));
        await using var subscriber = new SwitchboardClient(new SwitchboardClientOptions { Url = relay.WebSocketUri, Batch = false });
        await subscriber.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await subscriber.SubscribeAsync("gap.one", collector.Handler).OrTimeout();
        var resubscribed = new System.Collections.Concurrent.ConcurrentQueue<ResubscribedEventArgs>();
        subscription.Resubscribed += (_, e) => resubscribed.Enqueue(e);
        await using var publisher = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await publisher.ConnectAsync().OrTimeout();

        for (var i = 1; i <= 40; i++)
        {
            await publisher.PublishAsync("gap.one", Seq(i)).OrTimeout();
        }

        var received = await collector.WaitForAsync(40);
        Assert.Equal(1, relay.Dropped);
        Assert.Equal(Enumerable.Range(1, 40), Publish.Seqs(received));
        Assert.All(received, p => Assert.False(p.FollowsGap));
        await Wait.UntilAsync(() => !resubscribed.IsEmpty, "the resubscribe's result");
        Assert.True(subscription.Recovered);
        Assert.True(resubscribed.Single().Recovered);
        Assert.Equal(ConnectionState.Connected, subscriber.State);
    }

    [Fact]
    public async Task A_jump_history_no_longer_holds_sets_FollowsGap_on_the_next_publication()
    {
        // History keeps 3: offsets 5-10 are dropped on the way, so by the time 11 shows the jump, 5 is gone.
        await using var server = await ServerHost.StartAsync(o => o.HistorySize = 3);
        await using var relay = await FrameDroppingRelay.StartAsync(server.WebSocketUri, frame => IsMessage(frame, "gap.two", 5, 6, 7, 8, 9, 10));
        await using var subscriber = new SwitchboardClient(new SwitchboardClientOptions { Url = relay.WebSocketUri, Batch = false });
        await subscriber.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await subscriber.SubscribeAsync("gap.two", collector.Handler).OrTimeout();
        var notRecovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.Resubscribed += (_, e) =>
        {
            if (!e.Recovered)
            {
                notRecovered.TrySetResult();
            }
        };
        await using var publisher = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await publisher.ConnectAsync().OrTimeout();

        for (var i = 1; i <= 11; i++)
        {
            await publisher.PublishAsync("gap.two", Seq(i)).OrTimeout();
        }

        await notRecovered.Task.OrTimeout();
        await publisher.PublishAsync("gap.two", Seq(12)).OrTimeout();

        var received = await collector.WaitForAsync(5);
        Assert.Equal([1, 2, 3, 4, 12], Publish.Seqs(received));
        Assert.Equal([false, false, false, false, true], received.Select(p => p.FollowsGap));
        Assert.False(subscription.Recovered);
        Assert.Equal(12, subscription.Position!.Value.Offset);
    }
}

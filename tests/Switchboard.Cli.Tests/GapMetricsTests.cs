using System.Text.Json.Nodes;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Redis.Tests;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard.gap.healed</c> and the broker round trips on <c>/metrics</c> of two <c>serve</c> nodes sharing a real
/// redis-server: node A's link to Redis goes through a <see cref="TcpProxy"/> and is cut while node B publishes, so
/// A heals its subscriber's stream from history when the link is back.
/// </summary>
public sealed class GapMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_node_cut_off_from_redis_heals_the_gap_from_history_and_counts_it()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        await using var proxy = new TcpProxy(redis.Port);
        using var nodeA = await ServeProcess.StartAsync($"--Switchboard:Redis:Configuration={proxy.Address}");
        using var nodeB = await ServeProcess.StartAsync($"--Switchboard:Redis:Configuration={redis.Configuration}");
        await using var subscriber = await SwitchboardTestClient.ConnectAsync(nodeA.WebSocketUri);
        await using var publisher = await SwitchboardTestClient.ConnectAsync(nodeB.WebSocketUri);
        await subscriber.SubscribeAsync("gap.x");

        await publisher.PublishAsync("gap.x", 1);
        Assert.Equal(1, (await subscriber.ExpectMessageAsync("gap.x", Patience))["data"]!.GetValue<int>());
        Assert.Equal(0, (await nodeA.ScrapeAsync()).Sum("switchboard_gap_healed_total"));

        proxy.Cut();
        for (var n = 2; n <= 6; n++)
        {
            await publisher.PublishAsync("gap.x", n); // Node A misses these: its Redis link is down.
        }

        proxy.Restore();
        for (var n = 2; n <= 6; n++)
        {
            var message = await subscriber.ExpectMessageAsync("gap.x", Patience); // Healed from history, in order.
            Assert.Equal(n, message["data"]!.GetValue<int>());
        }

        var a = await nodeA.ScrapeAsync();
        Assert.True(a.Sum("switchboard_gap_healed_total") >= 1, a.Text);
        Assert.True(a.Sum("switchboard_broker_operations_total", "switchboard_broker_operation=\"history\"") >= 2, a.Text); // The subscribe's and the heal's.
        Assert.Equal(0, a.Sum("switchboard_broker_operations_total", "switchboard_broker_operation=\"publish\""));
        var b = await nodeB.ScrapeAsync();
        Assert.Equal(6, b.Sum("switchboard_broker_operations_total", "switchboard_broker_operation=\"publish\""));
        Assert.Equal(6, b.Sum("switchboard_broker_duration_seconds_count", "switchboard_broker_operation=\"publish\""));
        Assert.Equal(0, b.Sum("switchboard_gap_healed_total"));
    }
}

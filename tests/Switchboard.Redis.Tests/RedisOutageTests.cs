using System.Text.Json.Nodes;

namespace Switchboard.Redis.Tests;

/// <summary>
/// Redis goes away and comes back: publishes fail with <c>unavailable</c> while WebSocket connections stay up, then
/// everything works again, in a new epoch (Redis ran without persistence), so old positions do not recover and live
/// subscribers get the gap notice rather than a silent change of epoch.
/// </summary>
public sealed class RedisOutageTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Redis_killed_gives_unavailable_and_keeps_connections_then_a_restart_works_in_a_new_epoch()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var subscriber = await nodes.A.ConnectAsync();
        await using var publisher = await nodes.B.ConnectAsync();
        var subscribed = await subscriber.SubscribeAsync("outage.x");
        var oldEpoch = subscribed!["epoch"]!.GetValue<string>();
        await publisher.PublishAsync("outage.x", 1);
        Assert.Equal(1, (await subscriber.ReceiveMessagesAsync(1))[0]["offset"]!.GetValue<long>());

        await redis.KillAsync();

        var failed = await publisher.CommandAsync(new JsonObject { ["type"] = "publish", ["channel"] = "outage.x", ["data"] = 2 });
        Assert.False(failed["success"]!.GetValue<bool>());
        Assert.Equal("unavailable", failed["error"]!["code"]!.GetValue<string>());
        var history = await subscriber.CommandAsync(new JsonObject { ["type"] = "history", ["channel"] = "outage.x" });
        Assert.Equal("unavailable", history["error"]!["code"]!.GetValue<string>());
        var subscribe = await subscriber.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "outage.new" });
        Assert.Equal("unavailable", subscribe["error"]!["code"]!.GetValue<string>());
        var presence = await subscriber.CommandAsync(new JsonObject { ["type"] = "presence", ["channel"] = "outage.x" });
        Assert.Equal("unavailable", presence["error"]!["code"]!.GetValue<string>());
        // The connections are still up and served.
        await publisher.SendRawAsync("{\"type\":\"ping\",\"id\":1}");
        await publisher.ReceiveTypeAsync("pong");
        Assert.True(subscriber.IsOpen);
        Assert.True(publisher.IsOpen);

        await redis.StartAsync();

        // The nodes reconnect by themselves (twice a second); publish until it goes through.
        JsonObject result;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(result = await publisher.CommandAsync(new JsonObject { ["type"] = "publish", ["channel"] = "outage.x", ["data"] = 3 }))["success"]!.GetValue<bool>())
        {
            Assert.Equal("unavailable", result["error"]!["code"]!.GetValue<string>());
            Assert.True(DateTime.UtcNow < deadline, "the node did not reconnect to Redis in time");
            await Task.Delay(100);
        }

        // Redis lost everything: the stream restarted at offset 1 in another epoch.
        Assert.Equal(1, result["result"]!["offset"]!.GetValue<long>());

        // The stream restarted in a new epoch, so the subscriber cannot continue without a hole: instead of a silent
        // jump to the new epoch it gets the gap notice (as soon as the node's pub/sub link is back and it has checked).
        var notice = await subscriber.ReceiveAsync(m => m["type"]?.GetValue<string>() is "unsubscribe" or "message", TimeSpan.FromSeconds(20));
        Assert.Equal("unsubscribe", notice["type"]!.GetValue<string>());
        Assert.Equal("outage.x", notice["channel"]!.GetValue<string>());
        Assert.Equal("insufficient_state", notice["reason"]!.GetValue<string>());
        Assert.True(notice["resubscribe"]!.GetValue<bool>());

        // Resubscribing from where it was says what the notice meant: nothing to recover, reload; then live again.
        var again = await subscriber.OkAsync(ClusterTests.Subscribe("outage.x", 1, oldEpoch));
        Assert.False(again!["recovered"]!.GetValue<bool>());
        var newEpoch = again["epoch"]!.GetValue<string>();
        Assert.NotEqual(oldEpoch, newEpoch);
        await publisher.PublishAsync("outage.x", 4);
        var arrived = (await subscriber.ReceiveMessagesAsync(1))[0];
        Assert.Equal(newEpoch, arrived["epoch"]!.GetValue<string>());
        Assert.Equal(again["offset"]!.GetValue<long>() + 1, arrived["offset"]!.GetValue<long>());

        // The subscribe that failed left nothing behind: the same client subscribes now and gets live publications.
        await subscriber.SubscribeAsync("outage.new");
        await publisher.PublishAsync("outage.new", 1);
        Assert.Equal("outage.new", (await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "outage.new"))["channel"]!.GetValue<string>());

        await using var late = await nodes.A.ConnectAsync();
        var recovery = await late.OkAsync(ClusterTests.Subscribe("outage.x", 1, oldEpoch));
        Assert.False(recovery!["recovered"]!.GetValue<bool>());
        Assert.Empty(recovery["publications"]!.AsArray());
        Assert.NotEqual(oldEpoch, recovery["epoch"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_node_started_while_redis_is_down_joins_the_control_bus_when_redis_is_back()
    {
        await redis.KillAsync();
        await using var early = await ClusterNodes.StartAsync(redis, count: 1);
        await redis.StartAsync();
        await using var late = await ClusterNodes.StartAsync(redis, count: 1, prefix: early.Prefix);
        await ClusterBusTests.WaitForMembershipAsync(early.A, late.A);

        await using var watcher = await early.A.ConnectAsync();
        await watcher.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "late.x", ["presence"] = true });
        await using var other = await late.A.ConnectAsync();
        await other.SubscribeAsync("late.x");
        var join = await watcher.ReceiveTypeAsync("join", TimeSpan.FromSeconds(30));
        Assert.Equal(other.Welcome["client"]!.GetValue<string>(), join["client"]!.GetValue<string>());
    }
}

using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A node's link to Redis breaks while another node publishes. Every subscriber on the broken node either gets every
/// publication in order (the node heals the stream from history) or is told with the gap notice; never a silent jump.
/// </summary>
public sealed class ClusterChaosTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Publish(string channel, int n, int padding = 0)
    {
        var data = new JsonObject { ["n"] = n };
        if (padding > 0)
        {
            data["pad"] = new string('x', padding);
        }

        return new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = data }.ToJsonString();
    }

    [Fact]
    public async Task A_node_cut_off_from_redis_while_another_publishes_heals_the_stream_from_history()
    {
        await using var proxy = new TcpProxy(redis.Port);
        await using var nodes = await ClusterNodes.StartAsync(redis, configurationOf: i => i == 0 ? proxy.Address : redis.Configuration);
        await using var client = await nodes.A.ConnectAsync();
        var follower = new StreamFollower(client, "cut.x");
        await follower.SubscribeAsync();
        await using var sdk = await SdkFollower.StartAsync(nodes.A, "cut.x");
        await using var publisher = await nodes.B.ConnectAsync();

        for (var n = 1; n <= 150; n++)
        {
            if (n == 40)
            {
                proxy.Cut();
            }
            else if (n == 110)
            {
                proxy.Restore();
            }

            await publisher.OkAsync(JsonNode.Parse(Publish("cut.x", n))!.AsObject());
            await Task.Delay(5);
        }

        await follower.FollowUntilAsync(150, Patience);
        Assert.Empty(follower.SilentJumps);
        Assert.Equal(0, follower.Notices); // history held the gap: healed, nothing to tell
        Assert.Equal(Enumerable.Range(1, 150), follower.Data);
        await sdk.WaitForAsync(150, Patience);
        Assert.Equal(Enumerable.Range(1, 150), sdk.Received.Select(r => r.N));
        Assert.DoesNotContain(sdk.Received, r => r.FollowsGap);
    }

    [Fact]
    public async Task A_node_cut_off_longer_than_history_tells_its_subscribers_and_they_resubscribe()
    {
        await using var proxy = new TcpProxy(redis.Port);
        await using var nodes = await ClusterNodes.StartAsync(redis, configurationOf: i => i == 0 ? proxy.Address : redis.Configuration, configure: o => o.HistorySize = 10);
        await using var client = await nodes.A.ConnectAsync();
        var follower = new StreamFollower(client, "lost.x");
        await follower.SubscribeAsync();
        await using var sdk = await SdkFollower.StartAsync(nodes.A, "lost.x");
        await using var publisher = await nodes.B.ConnectAsync();

        for (var n = 1; n <= 20; n++)
        {
            await publisher.OkAsync(JsonNode.Parse(Publish("lost.x", n))!.AsObject());
        }

        await follower.FollowUntilAsync(20, Patience);
        proxy.Cut();
        for (var n = 21; n <= 80; n++)
        {
            await publisher.OkAsync(JsonNode.Parse(Publish("lost.x", n))!.AsObject());
        }

        proxy.Restore();
        // Keep publishing (as a live channel would) until the subscriber has been told and has resubscribed, then a
        // few more and a last one it must get live.
        const int Last = 1_000_000;
        var following = follower.FollowUntilAsync(Last, Patience);
        var n2 = 81;
        while (follower.Reloads == 0 && !following.IsCompleted)
        {
            await publisher.OkAsync(JsonNode.Parse(Publish("lost.x", n2++))!.AsObject());
            await Task.Delay(50);
        }

        for (var i = 0; i < 5; i++)
        {
            await publisher.OkAsync(JsonNode.Parse(Publish("lost.x", n2++))!.AsObject());
        }

        await publisher.OkAsync(JsonNode.Parse(Publish("lost.x", Last))!.AsObject());
        await following;
        Assert.Empty(follower.SilentJumps);
        Assert.True(follower.Notices >= 1, follower.Describe());
        Assert.Equal(1, follower.Reloads);
        Assert.Equal(Enumerable.Range(1, 20), follower.Data.Take(20));
        Assert.Equal(Last, follower.Data[^1]);

        // The .NET client resubscribed by itself on the notice and flagged the first publication after the hole.
        await sdk.WaitForAsync(Last, Patience);
        var received = sdk.Received;
        Assert.Equal(Enumerable.Range(1, 20), received.Take(20).Select(r => r.N));
        var afterGap = Assert.Single(received, r => r.FollowsGap);
        Assert.True(afterGap.N > 80, $"the gap was flagged at {afterGap.N}");
        Assert.Equal(received.Select(r => r.Offset).Order(), received.Select(r => r.Offset));
    }

    [Fact]
    public async Task A_frozen_node_dropped_by_redis_for_its_output_buffer_heals_when_it_thaws()
    {
        await using var proxy = new TcpProxy(redis.Port);
        await using var nodes = await ClusterNodes.StartAsync(redis, configurationOf: i => i == 0 ? proxy.Address : redis.Configuration, configure: o =>
        {
            o.HistorySize = 5000;
            o.OutgoingQueueLimit = 16 * 1024 * 1024;
        });
        await using var client = await nodes.A.ConnectAsync("?batch=1");
        var follower = new StreamFollower(client, "frozen.x");
        await follower.SubscribeAsync();
        await using var publisher = await nodes.B.ConnectAsync();
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");
        var server = probe.GetServer(probe.GetEndPoints()[0]);
        async Task<int> PubSubClientsAsync() =>
            ((string)(await server.ExecuteAsync("CLIENT", "LIST", "TYPE", "pubsub"))!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        await server.ExecuteAsync("CONFIG", "SET", "client-output-buffer-limit", "pubsub 64kb 32kb 1");
        try
        {
            var before = await PubSubClientsAsync();
            proxy.Pause();
            // Publish 1 KB publications until Redis has dropped the frozen node's pub/sub link.
            var n = 0;
            var deadline = DateTime.UtcNow + Patience;
            while (await PubSubClientsAsync() >= before)
            {
                Assert.True(DateTime.UtcNow < deadline, "Redis did not drop the frozen node's pub/sub connection");
                for (var i = 0; i < 49; i++)
                {
                    await publisher.SendRawAsync(Publish("frozen.x", ++n, padding: 1000));
                }

                await publisher.OkAsync(JsonNode.Parse(Publish("frozen.x", ++n, padding: 1000))!.AsObject());
            }

            proxy.Resume();
            for (var i = 0; i < 20; i++)
            {
                await publisher.OkAsync(JsonNode.Parse(Publish("frozen.x", ++n))!.AsObject());
                await Task.Delay(20);
            }

            await follower.FollowUntilAsync(n, Patience);
            Assert.Empty(follower.SilentJumps);
            Assert.Equal(0, follower.Notices);
            Assert.Equal(Enumerable.Range(1, n), follower.Data);
        }
        finally
        {
            await server.ExecuteAsync("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
        }
    }
}

using System.Text.Json.Nodes;

namespace Switchboard.Redis.Tests;

/// <summary>Three nodes on one Redis: every publication reaches every node's subscribers once, in order, with no seam.</summary>
public sealed class ClusterDeliveryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string Publish(string channel, int n) =>
        new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = new JsonObject { ["n"] = n } }.ToJsonString();

    [Fact]
    public async Task A_publication_on_any_of_three_nodes_reaches_every_subscriber_on_every_node_once_in_order()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis, count: 3);
        var subscribers = new List<TestClient>();
        foreach (var node in nodes.Nodes)
        {
            var exact = await node.ConnectAsync("?batch=1");
            await exact.SubscribeAsync("tri.x");
            var pattern = await node.ConnectAsync();
            await pattern.SubscribeAsync("tri.*");
            subscribers.AddRange([exact, pattern]);
        }

        // One publisher per node, all at once; each sends 50 without ids and a last one with an id.
        await Task.WhenAll(nodes.Nodes.Select(async (node, i) =>
        {
            await using var publisher = await node.ConnectAsync();
            for (var n = i * 1000; n < (i * 1000) + 49; n++)
            {
                await publisher.SendRawAsync(Publish("tri.x", n));
            }

            await publisher.OkAsync(JsonNode.Parse(Publish("tri.x", (i * 1000) + 49))!.AsObject());
        }));

        foreach (var subscriber in subscribers)
        {
            var messages = await subscriber.ReceiveMessagesAsync(150, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), messages.Select(m => m["offset"]!.GetValue<long>()));
            var data = messages.Select(m => m["data"]!["n"]!.GetValue<int>()).ToList();
            for (var i = 0; i < 3; i++)
            {
                // Each publisher's messages in the order it sent them.
                Assert.Equal(Enumerable.Range(i * 1000, 50), data.Where(n => n / 1000 == i));
            }
        }

        // Nothing more arrives: a round trip to each subscriber's node after the last publication; a repeat of one
        // delivered through both a channel and a pattern subscription would have been queued before it.
        foreach (var subscriber in subscribers)
        {
            await subscriber.SendRawAsync("{\"type\":\"ping\",\"id\":1}");
            await subscriber.ReceiveTypeAsync("pong");
        }

        foreach (var subscriber in subscribers)
        {
            Assert.False(subscriber.TryReceive(out var extra) && extra!["type"]!.GetValue<string>() == "message", "a publication arrived twice");
            await subscriber.DisposeAsync();
        }
    }

    [Fact]
    public async Task Subscribing_while_another_node_publishes_fast_never_delivers_an_offset_the_result_covered()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var publisher = await nodes.B.ConnectAsync();
        await using var subscriber = await nodes.A.ConnectAsync();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var channel = $"seam.{attempt}";
            using var stop = new CancellationTokenSource();
            var publishing = Task.Run(async () =>
            {
                // Fifty at a time without waiting, then one round trip, so the node's backlog stays small.
                for (var n = 1; !stop.IsCancellationRequested; n++)
                {
                    if (n % 50 == 0)
                    {
                        await publisher.OkAsync(JsonNode.Parse(Publish(channel, n))!.AsObject());
                    }
                    else
                    {
                        await publisher.SendRawAsync(Publish(channel, n));
                    }
                }
            });

            // Subscribe in the middle of the stream: the node is not yet subscribed to the channel in Redis, so
            // publications are in flight while the subscribe reads the position.
            await Task.Delay(20 + (attempt * 5));
            var result = await subscriber.SubscribeAsync(channel);
            var start = result!["offset"]!.GetValue<long>();
            var messages = await subscriber.ReceiveMessagesAsync(20, TimeSpan.FromSeconds(20));
            stop.Cancel();
            await publishing;
            await subscriber.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = channel });

            Assert.Equal(Enumerable.Range(1, 20).Select(i => start + i), messages.Select(m => m["offset"]!.GetValue<long>()));
            while (subscriber.TryReceive(out _))
            {
                // Messages that were in flight when unsubscribing: not part of this attempt.
            }
        }
    }

    [Fact]
    public async Task A_connection_subscribed_to_a_channel_and_a_matching_pattern_gets_each_publication_once_per_subscription()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var both = await nodes.A.ConnectAsync();
        await both.SubscribeAsync("both.b");
        await both.SubscribeAsync("both.*");
        await using var publisher = await nodes.B.ConnectAsync();
        for (var n = 1; n <= 3; n++)
        {
            await publisher.OkAsync(JsonNode.Parse(Publish("both.b", n))!.AsObject());
        }

        var messages = await both.ReceiveMessagesAsync(6);
        // Two of each offset, in offset order (Redis delivers each twice to the node; it passes it on once per subscription).
        Assert.Equal([1L, 1, 2, 2, 3, 3], messages.Select(m => m["offset"]!.GetValue<long>()));
        await both.SendRawAsync("{\"type\":\"ping\",\"id\":1}");
        await both.ReceiveTypeAsync("pong");
        Assert.False(both.TryReceive(out var extra) && extra!["type"]!.GetValue<string>() == "message", "a third copy arrived");
    }
}

using System.Text.Json.Nodes;

namespace Switchboard.Redis.Tests;

/// <summary>Two nodes sharing Redis behave as one: delivery, recovery, idempotency and presence across nodes.</summary>
public sealed class ClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    internal static JsonObject Subscribe(string channel, long offset, string epoch) => new()
    {
        ["type"] = "subscribe",
        ["channel"] = channel,
        ["since"] = new JsonObject { ["offset"] = offset, ["epoch"] = epoch },
    };

    private static JsonObject Publish(string channel, int n, string? key = null)
    {
        var command = new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = new JsonObject { ["n"] = n } };
        if (key is not null)
        {
            command["key"] = key;
        }

        return command;
    }

    [Fact]
    public async Task A_client_on_one_node_receives_in_order_what_clients_on_the_other_publish()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var subscriber = await nodes.A.ConnectAsync();
        await using var wildcard = await nodes.A.ConnectAsync();
        await using var publisher = await nodes.B.ConnectAsync();
        await subscriber.SubscribeAsync("room.x");
        await wildcard.SubscribeAsync("room.*");

        // Without ids (no round trip each), then one with an id: the node executes a connection's commands in order.
        for (var i = 1; i < 100; i++)
        {
            await publisher.SendRawAsync(Publish("room.x", i).ToJsonString());
        }

        var last = await publisher.OkAsync(Publish("room.x", 100));
        Assert.Equal(100, last!["offset"]!.GetValue<long>());

        foreach (var client in new[] { subscriber, wildcard })
        {
            var messages = await client.ReceiveMessagesAsync(100);
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), messages.Select(m => m["offset"]!.GetValue<long>()));
            Assert.Equal(Enumerable.Range(1, 100), messages.Select(m => m["data"]!["n"]!.GetValue<int>()));
            Assert.Equal(publisher.Welcome["client"]!.GetValue<string>(), messages[0]["from"]!["client"]!.GetValue<string>());
        }

        Assert.False(subscriber.TryReceive(out var extra) && extra!["type"]!.GetValue<string>() == "message", "a publication arrived twice");
    }

    [Fact]
    public async Task Publishers_on_both_nodes_at_once_give_every_subscriber_one_offset_sequence_in_order()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var onA = await nodes.A.ConnectAsync();
        await using var onB = await nodes.B.ConnectAsync();
        await onA.SubscribeAsync("race.x");
        await onB.SubscribeAsync("race.x");
        await using var publisherA = await nodes.A.ConnectAsync();
        await using var publisherB = await nodes.B.ConnectAsync();

        static async Task PublishAllAsync(TestClient publisher, int from)
        {
            for (var i = from; i < from + 99; i++)
            {
                await publisher.SendRawAsync(Publish("race.x", i).ToJsonString());
            }

            await publisher.OkAsync(Publish("race.x", from + 99));
        }

        await Task.WhenAll(PublishAllAsync(publisherA, 0), PublishAllAsync(publisherB, 1000));

        foreach (var subscriber in new[] { onA, onB })
        {
            var messages = await subscriber.ReceiveMessagesAsync(200);
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), messages.Select(m => m["offset"]!.GetValue<long>()));
            // Each publisher's messages keep the order it sent them in.
            var data = messages.Select(m => m["data"]!["n"]!.GetValue<int>()).ToList();
            Assert.Equal(Enumerable.Range(0, 100), data.Where(n => n < 1000));
            Assert.Equal(Enumerable.Range(1000, 100), data.Where(n => n >= 1000));
        }
    }

    [Fact]
    public async Task Each_node_holds_one_redis_subscription_per_channel_however_many_local_subscribers()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var probe = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var server = probe.GetServer(probe.GetEndPoints()[0]);
        async Task<long> RedisSubscribersAsync() =>
            (long)((StackExchange.Redis.RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", nodes.Prefix + "msg:count.x"))!)[1];

        var clients = new List<TestClient>();
        foreach (var node in new[] { nodes.A, nodes.A, nodes.A, nodes.B, nodes.B })
        {
            var client = await node.ConnectAsync();
            await client.SubscribeAsync("count.x");
            clients.Add(client);
        }

        Assert.Equal(2, await RedisSubscribersAsync());
        foreach (var client in clients)
        {
            await client.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = "count.x" });
        }

        Assert.Equal(0, await RedisSubscribersAsync());
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Publications_made_on_one_node_are_recovered_on_the_other()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var publisher = await nodes.A.ConnectAsync();
        var subscribed = await publisher.SubscribeAsync("recover.x");
        var epoch = subscribed!["epoch"]!.GetValue<string>();
        for (var i = 1; i <= 5; i++)
        {
            await publisher.OkAsync(Publish("recover.x", i));
        }

        await using var other = await nodes.B.ConnectAsync();
        var recovered = await other.OkAsync(Subscribe("recover.x", 2, epoch));
        Assert.True(recovered!["recovered"]!.GetValue<bool>());
        Assert.Equal(epoch, recovered["epoch"]!.GetValue<string>());
        Assert.Equal(5, recovered["offset"]!.GetValue<long>());
        Assert.Equal([3L, 4, 5], recovered["publications"]!.AsArray().Select(p => p!["offset"]!.GetValue<long>()));

        // And live after the recovered ones, from the first node, without a gap.
        await publisher.OkAsync(Publish("recover.x", 6));
        var live = await other.ReceiveMessagesAsync(1);
        Assert.Equal(6, live[0]["offset"]!.GetValue<long>());

        var history = await other.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "recover.x", ["limit"] = 2 });
        Assert.Equal([5L, 6], history!["publications"]!.AsArray().Select(p => p!["offset"]!.GetValue<long>()));
    }

    [Fact]
    public async Task An_idempotency_key_used_on_one_node_is_a_duplicate_on_the_other()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var onA = await nodes.A.ConnectAsync();
        await using var onB = await nodes.B.ConnectAsync();
        await using var subscriber = await nodes.B.ConnectAsync();
        await subscriber.SubscribeAsync("idem.x");

        var first = await onA.OkAsync(Publish("idem.x", 1, key: "order-42"));
        var again = await onB.OkAsync(Publish("idem.x", 2, key: "order-42"));
        Assert.Equal(first!["offset"]!.GetValue<long>(), again!["offset"]!.GetValue<long>());
        await onB.OkAsync(Publish("idem.x", 3));

        var messages = await subscriber.ReceiveMessagesAsync(2);
        Assert.Equal([1, 3], messages.Select(m => m["data"]!["n"]!.GetValue<int>()));
        var history = await onA.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "idem.x" });
        Assert.Equal([1, 3], history!["publications"]!.AsArray().Select(p => p!["data"]!["n"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Presence_lists_the_clients_of_both_nodes_and_forgets_those_that_leave()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var onA = await nodes.A.ConnectAsync();
        var onB = await nodes.B.ConnectAsync();
        await onA.SubscribeAsync("pres.x");
        await onB.SubscribeAsync("pres.x");
        var presenceCommand = new JsonObject { ["type"] = "presence", ["channel"] = "pres.x" };

        static string[] Clients(JsonNode? result) => [.. result!["clients"]!.AsArray().Select(c => c!["client"]!.GetValue<string>()).Order()];
        string[] both = [.. new[] { onA.Welcome["client"]!.GetValue<string>(), onB.Welcome["client"]!.GetValue<string>() }.Order()];
        Assert.Equal(both, Clients(await onA.OkAsync(presenceCommand)));
        Assert.Equal(both, Clients(await onB.OkAsync(presenceCommand)));

        // A disconnect on B removes its entry; A sees it gone (the node removes it before the socket is done).
        await onB.DisposeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string[] now;
        while ((now = Clients(await onA.OkAsync(presenceCommand))).Length != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal([onA.Welcome["client"]!.GetValue<string>()], now);
    }
}

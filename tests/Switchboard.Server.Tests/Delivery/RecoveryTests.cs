using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Brokers;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>History recovery: exactly the missed publications, or an honest <c>recovered: false</c>.</summary>
public sealed class RecoveryTests
{
    private static JsonObject Subscribe(string channel, long offset, string epoch) => new()
    {
        ["type"] = "subscribe",
        ["channel"] = channel,
        ["since"] = new JsonObject { ["offset"] = offset, ["epoch"] = epoch },
    };

    /// <summary>Publishes <paramref name="count"/> messages without ids (no round trip each), then one more with an id,
    /// whose result proves the earlier ones are done: a connection's commands execute in order.</summary>
    private static async Task<long> PublishManyAsync(TestClient publisher, string channel, int count, int startAt = 0)
    {
        for (var i = startAt; i < startAt + count - 1; i++)
        {
            await publisher.SendAsync(new { type = "publish", channel, data = new { n = i } });
        }

        var last = await publisher.PublishAsync(channel, new JsonObject { ["n"] = startAt + count - 1 });
        return last!["offset"]!.GetValue<long>();
    }

    [Fact]
    public async Task Resubscribe_with_since_gets_all_1000_missed_in_order_and_then_live_ones_without_gap()
    {
        await using var server = await TestServer.StartAsync(o => o.HistorySize = 2000);
        await using var publisher = await server.ConnectAsync();
        string epoch;
        long seen;
        await using (var subscriber = await server.ConnectAsync())
        {
            var result = await subscriber.SubscribeAsync("recovery.exact");
            epoch = result!["epoch"]!.GetValue<string>();
            await PublishManyAsync(publisher, "recovery.exact", 5);
            var live = await subscriber.ReceiveMessagesAsync(5);
            seen = live[^1]["offset"]!.GetValue<long>();
            Assert.Equal(5, seen);
        }

        var lastOffset = await PublishManyAsync(publisher, "recovery.exact", 1000, startAt: 5);
        Assert.Equal(1005, lastOffset);

        await using var again = await server.ConnectAsync();
        var recovered = await again.OkAsync(Subscribe("recovery.exact", seen, epoch));
        Assert.True(recovered!["recovered"]!.GetValue<bool>());
        Assert.Equal(epoch, recovered["epoch"]!.GetValue<string>());
        Assert.Equal(1005, recovered["offset"]!.GetValue<long>());
        var publications = recovered["publications"]!.AsArray();
        Assert.Equal(1000, publications.Count);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(seen + 1 + i, publications[i]!["offset"]!.GetValue<long>());
            Assert.Equal(5 + i, publications[i]!["data"]!["n"]!.GetValue<int>());
            Assert.Equal(epoch, publications[i]!["epoch"]!.GetValue<string>());
        }

        // The next live publication follows the recovered ones directly.
        await publisher.PublishAsync("recovery.exact", "next");
        var next = await again.ReceiveTypeAsync("message");
        Assert.Equal(1006, next["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task Recovery_while_publishing_continues_has_no_gap_and_no_duplicate()
    {
        await using var server = await TestServer.StartAsync(o => o.HistorySize = 5000);
        await using var publisher = await server.ConnectAsync();
        await using var first = await server.ConnectAsync();
        var epoch = (await first.SubscribeAsync("recovery.busy"))!["epoch"]!.GetValue<string>();

        const int total = 3000;
        var publishing = Task.Run(() => PublishManyAsync(publisher, "recovery.busy", total));
        var before = await first.ReceiveMessagesAsync(200);
        var seen = before[^1]["offset"]!.GetValue<long>();
        await first.DisposeAsync();

        // Resubscribe while the publisher is still going: recovered + live must be exactly seen+1 .. total.
        await using var second = await server.ConnectAsync();
        var result = await second.OkAsync(Subscribe("recovery.busy", seen, epoch));
        Assert.True(result!["recovered"]!.GetValue<bool>());
        var offsets = result["publications"]!.AsArray().Select(p => p!["offset"]!.GetValue<long>()).ToList();
        Assert.Equal(total, await publishing);
        var remaining = total - seen - offsets.Count;
        offsets.AddRange((await second.ReceiveMessagesAsync((int)remaining, TimeSpan.FromSeconds(30))).Select(m => m["offset"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range((int)seen + 1, total - (int)seen).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task History_smaller_than_the_gap_gives_recovered_false_and_no_publications()
    {
        await using var server = await TestServer.StartAsync(o => o.HistorySize = 100);
        await using var publisher = await server.ConnectAsync();
        await publisher.PublishAsync("recovery.small", 0);
        var position = await publisher.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "recovery.small", ["limit"] = 1 });
        var epoch = position!["epoch"]!.GetValue<string>();

        await PublishManyAsync(publisher, "recovery.small", 1000);

        await using var subscriber = await server.ConnectAsync();
        var result = await subscriber.OkAsync(Subscribe("recovery.small", 1, epoch));
        Assert.False(result!["recovered"]!.GetValue<bool>());
        Assert.Empty(result["publications"]!.AsArray());
        Assert.Equal(1001, result["offset"]!.GetValue<long>());

        // A gap that history still covers (the newest 100) recovers.
        var recent = await subscriber.OkAsync(new JsonObject
        {
            ["type"] = "history",
            ["channel"] = "recovery.small",
            ["since"] = new JsonObject { ["offset"] = 950, ["epoch"] = epoch },
        });
        Assert.Equal(Enumerable.Range(951, 51).Select(i => (long)i), recent!["publications"]!.AsArray().Select(p => p!["offset"]!.GetValue<long>()));
    }

    [Fact]
    public async Task An_epoch_change_gives_recovered_false()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = await server.ConnectAsync();
        await PublishManyAsync(publisher, "recovery.epoch", 10);
        var before = await publisher.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "recovery.epoch", ["limit"] = 1 });
        var oldEpoch = before!["epoch"]!.GetValue<string>();

        ((MemoryBroker)server.Services.GetRequiredService<IBroker>()).Reset();
        await PublishManyAsync(publisher, "recovery.epoch", 20);

        await using var subscriber = await server.ConnectAsync();
        var result = await subscriber.OkAsync(Subscribe("recovery.epoch", 5, oldEpoch));
        Assert.False(result!["recovered"]!.GetValue<bool>());
        Assert.Empty(result["publications"]!.AsArray());
        Assert.NotEqual(oldEpoch, result["epoch"]!.GetValue<string>());
        Assert.Equal(20, result["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_recovery_larger_than_the_outgoing_queue_gives_recovered_false_instead_of_a_4003_loop()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MaxMessageSize = 16 * 1024;
            o.OutgoingQueueLimit = 64 * 1024;
        });
        await using var publisher = await server.ConnectAsync();
        var payload = new string('y', 1000);
        for (var i = 0; i < 99; i++)
        {
            await publisher.SendAsync(new { type = "publish", channel = "recovery.big", data = payload });
        }

        await publisher.PublishAsync("recovery.big", payload);
        var epoch = (await publisher.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "recovery.big", ["limit"] = 1 }))!["epoch"]!.GetValue<string>();

        await using var subscriber = await server.ConnectAsync();
        var result = await subscriber.OkAsync(Subscribe("recovery.big", 0, epoch));
        Assert.False(result!["recovered"]!.GetValue<bool>());
        Assert.Empty(result["publications"]!.AsArray());
        Assert.True(subscriber.IsOpen);

        // A small enough gap still recovers on the same connection size.
        await using var near = await server.ConnectAsync();
        var close = await near.OkAsync(Subscribe("recovery.big", 90, epoch));
        Assert.True(close!["recovered"]!.GetValue<bool>());
        Assert.Equal(10, close["publications"]!.AsArray().Count);
    }

    [Fact]
    public async Task Offsets_from_concurrent_publishers_never_repeat_or_go_back()
    {
        await using var server = await TestServer.StartAsync();
        await using var subscriber = await server.ConnectAsync("?batch=1");
        await subscriber.SubscribeAsync("recovery.order");
        var publishers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.ConnectAsync()));
        try
        {
            var results = await Task.WhenAll(publishers.Select(p => Task.Run(async () =>
            {
                var offsets = new List<long>();
                for (var i = 0; i < 250; i++)
                {
                    offsets.Add((await p.PublishAsync("recovery.order", i))!["offset"]!.GetValue<long>());
                }

                return offsets;
            })));

            foreach (var offsets in results)
            {
                Assert.Equal(offsets.Order(), offsets); // One connection's publishes get increasing offsets.
            }

            Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), results.SelectMany(o => o).Order());
            var received = await subscriber.ReceiveMessagesAsync(1000, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), received.Select(m => m["offset"]!.GetValue<long>()));
        }
        finally
        {
            foreach (var p in publishers)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_same_key_twice_gives_one_publication_and_the_same_offset()
    {
        await using var server = await TestServer.StartAsync();
        await using var subscriber = await server.ConnectAsync();
        await using var publisher = await server.ConnectAsync();
        await subscriber.SubscribeAsync("orders.idempotent");

        JsonObject Publish(string key, int n) => new() { ["type"] = "publish", ["channel"] = "orders.idempotent", ["data"] = n, ["key"] = key };
        var first = await publisher.OkAsync(Publish("order-42", 1));
        var repeat = await publisher.OkAsync(Publish("order-42", 2));
        var other = await publisher.OkAsync(Publish("order-43", 3));
        Assert.Equal(first!["offset"]!.GetValue<long>(), repeat!["offset"]!.GetValue<long>());
        Assert.Equal(2, other!["offset"]!.GetValue<long>());

        var messages = await subscriber.ReceiveMessagesAsync(2);
        Assert.Equal([1, 3], messages.Select(m => m["data"]!.GetValue<int>()));
        var history = await publisher.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "orders.idempotent" });
        Assert.Equal(2, history!["publications"]!.AsArray().Count);
    }
}

using System.Text.Json.Nodes;
using StackExchange.Redis;
using Switchboard.Redis.Internal;

namespace Switchboard.Redis.Tests;

/// <summary>
/// Issue 20, part 1, with Redis: a stream's keys expire while the channel has subscribers (an empty stream's meta key
/// lives a minute), and the next publish starts a new epoch. The subscribers get that publication, as offset 1 of the
/// new epoch after offset 0, or the gap notice when they had seen publications of the old one: one event each, no
/// heal loop against Redis.
/// </summary>
public sealed class ExpiredStreamTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_publication_after_an_empty_streams_keys_expired_reaches_a_subscriber_on_another_node()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var subscriber = await nodes.A.ConnectAsync();
        await using var publisher = await nodes.B.ConnectAsync();
        var subscribed = await subscriber.SubscribeAsync("fresh.x");
        Assert.Equal(0, subscribed!["offset"]!.GetValue<long>());

        await ExpireAsync(nodes.Prefix, "fresh.x");

        var published = await publisher.PublishAsync("fresh.x", new JsonObject { ["n"] = 1 });
        Assert.Equal(1, published!["offset"]!.GetValue<long>());
        var message = await subscriber.ExpectMessageAsync("fresh.x", Patience);
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.NotEqual(subscribed["epoch"]!.GetValue<string>(), message["epoch"]!.GetValue<string>());

        await publisher.PublishAsync("fresh.x", new JsonObject { ["n"] = 2 });
        var next = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "fresh.x", Patience);
        Assert.Equal("message", next["type"]!.GetValue<string>());
        Assert.Equal(2, next["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_subscriber_that_saw_the_old_epoch_gets_the_gap_notice_once_and_recovers_to_the_new_one()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await using var subscriber = await nodes.A.ConnectAsync();
        await using var publisher = await nodes.B.ConnectAsync();
        await subscriber.SubscribeAsync("worn.x");
        await publisher.PublishAsync("worn.x", new JsonObject { ["n"] = 1 });
        var first = await subscriber.ExpectMessageAsync("worn.x", Patience);
        Assert.Equal(1, first["offset"]!.GetValue<long>());

        await ExpireAsync(nodes.Prefix, "worn.x");
        var published = await publisher.PublishAsync("worn.x", new JsonObject { ["n"] = 2 });
        Assert.Equal(1, published!["offset"]!.GetValue<long>());

        var notice = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "worn.x", Patience);
        Assert.Equal("unsubscribe", notice["type"]!.GetValue<string>());
        Assert.Equal("insufficient_state", notice["reason"]!.GetValue<string>());
        var again = await subscriber.OkAsync(ClusterTests.Subscribe("worn.x", 1, first["epoch"]!.GetValue<string>()));
        Assert.False(again!["recovered"]!.GetValue<bool>());
        Assert.NotEqual(first["epoch"]!.GetValue<string>(), again["epoch"]!.GetValue<string>());
        await publisher.PublishAsync("worn.x", new JsonObject { ["n"] = 3 });
        var live = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "worn.x", Patience);
        Assert.Equal("message", live["type"]!.GetValue<string>());
        Assert.Equal(2, live["offset"]!.GetValue<long>());
    }

    /// <summary>Lets Redis expire a stream's keys (a millisecond to live) and waits until they are gone.</summary>
    internal static async Task ExpireAsync(IDatabase database, RedisKeys keys, string channel)
    {
        await database.KeyExpireAsync(keys.Meta(channel), TimeSpan.FromMilliseconds(1));
        await database.KeyExpireAsync(keys.History(channel), TimeSpan.FromMilliseconds(1));
        var deadline = DateTime.UtcNow + Patience;
        while (await database.KeyExistsAsync(keys.Meta(channel)) || await database.KeyExistsAsync(keys.History(channel)))
        {
            Assert.True(DateTime.UtcNow < deadline, "Redis did not expire the stream's keys");
            await Task.Delay(10);
        }
    }

    private async Task ExpireAsync(string prefix, string channel)
    {
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await ExpireAsync(probe.GetDatabase(), new RedisKeys(prefix), channel);
    }
}

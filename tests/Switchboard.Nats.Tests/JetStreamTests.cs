using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.JetStream;
using StackExchange.Redis;
using Switchboard.Redis.Tests;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Nats.Tests;

/// <summary>JetStream intake: at least once from NATS, exactly one publication per message thanks to the idempotency key.</summary>
public sealed class JetStreamTests(NatsServer nats, RedisServer redis) : IClassFixture<NatsServer>, IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_redelivered_message_is_not_published_twice()
    {
        // The ack window is 1 s and Redis is paused for 2.5 s while the bridge publishes the message: JetStream
        // delivers it again before the first publish (and its ack) is done, as it would after a node died after
        // publishing. The redelivery finds its key in Redis and publishes nothing.
        await using var server = await BridgedServer.StartAsync(nats, o =>
        {
            var bridge = BridgedServer.Bridge("shipments.*", "shipments.{1}", stream: "SHIPMENTS");
            bridge.AckWait = TimeSpan.FromSeconds(1);
            o.Bridges.Add(bridge);
        }, s => s.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = $"t{Guid.NewGuid():N}:";
        }));
        using var redeliveries = new MetricCollector(server, "switchboard.nats.redeliveries");
        using var duplicates = new MetricCollector(server, "switchboard.nats.duplicates");
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("shipments.sent");
        await using var backend = await BridgedServer.ConnectAsync(nats);
        var js = new NatsJSContext(backend);
        await using var redisClient = await ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");

        await redisClient.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2500", "ALL");
        (await js.PublishAsync("shipments.sent", Encoding.UTF8.GetBytes("""{"id":1}"""))).EnsureSuccess();

        var first = (await client.ReceiveMessagesAsync(1, BridgedServer.Timeout))[0];
        Assert.Equal(1, first["offset"]!.GetValue<long>());
        await BridgedServer.WaitUntilAsync(() => duplicates.Sum() >= 1, "the redelivery to be recognised as a duplicate");
        Assert.True(redeliveries.Sum() >= 1);

        (await js.PublishAsync("shipments.sent", Encoding.UTF8.GetBytes("""{"id":2}"""))).EnsureSuccess();
        var next = (await client.ReceiveMessagesAsync(1, BridgedServer.Timeout))[0];
        Assert.Equal(2, next["offset"]!.GetValue<long>()); // nothing was published in between
        Assert.Equal(2, next["data"]!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task Messages_sent_while_switchboard_was_stopped_arrive_after_it_starts_again()
    {
        static void Bridge(SwitchboardNatsOptions o) => o.Bridges.Add(BridgedServer.Bridge("invoices.*", "invoices.{1}", stream: "INVOICES"));
        var first = await BridgedServer.StartAsync(nats, Bridge); // creates the stream and the durable consumer
        await first.DisposeAsync();

        await using var backend = await BridgedServer.ConnectAsync(nats);
        var js = new NatsJSContext(backend);
        for (var i = 1; i <= 3; i++)
        {
            (await js.PublishAsync("invoices.issued", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""))).EnsureSuccess();
        }

        await using var second = await BridgedServer.StartAsync(nats, Bridge);
        var switchboard = second.Services.GetRequiredService<ISwitchboard>();
        HistoryResult history = null!;
        await BridgedServer.WaitUntilAsync(async () =>
        {
            history = await switchboard.GetHistoryAsync("invoices.issued", new HistoryQuery(null, null));
            return history.Publications.Count >= 3;
        }, "the three messages in history");

        Assert.Equal([1, 2, 3], history.Publications.Select(p => (int)p.Offset));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
    }
}

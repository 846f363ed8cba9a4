using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Redis.Tests;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Nats.Tests;

/// <summary>Two nodes on one Redis both run the bridge: the NATS queue group makes each message one publication.</summary>
public sealed class ClusterBridgeTests(NatsServer nats, RedisServer redis) : IClassFixture<NatsServer>, IClassFixture<RedisServer>
{
    [Fact]
    public async Task Each_nats_message_is_published_once_and_reaches_subscribers_on_both_nodes_once()
    {
        var prefix = $"t{Guid.NewGuid():N}:";
        void Cluster(IServiceCollection s) => s.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = prefix;
        });
        void Bridge(SwitchboardNatsOptions o) => o.Bridges.Add(BridgedServer.Bridge("cluster.*", "cluster.{1}"));
        await using var a = await BridgedServer.StartAsync(nats, Bridge, Cluster);
        await using var b = await BridgedServer.StartAsync(nats, Bridge, Cluster);
        using var takenInByA = new MetricCollector(a, "switchboard.nats.messages");
        using var takenInByB = new MetricCollector(b, "switchboard.nats.messages");
        await using var onA = await a.ConnectAsync();
        await using var onB = await b.ConnectAsync();
        await onA.SubscribeAsync("cluster.events");
        await onB.SubscribeAsync("cluster.events");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        const int Count = 20;
        for (var i = 1; i <= Count; i++)
        {
            await backend.PublishAsync("cluster.events", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
        }

        foreach (var subscriber in new[] { onA, onB })
        {
            // Every message once, in one stream: offsets 1..20 carry 20 distinct messages (the order between nodes
            // taking messages in is not NATS's order, so it is not asserted).
            var messages = await subscriber.ReceiveMessagesAsync(Count, BridgedServer.Timeout);
            Assert.Equal(Enumerable.Range(1, Count), messages.Select(m => (int)m["offset"]!.GetValue<long>()));
            Assert.Equal(Enumerable.Range(1, Count), messages.Select(m => m["data"]!["n"]!.GetValue<int>()).Order());
            Assert.False(subscriber.TryReceive(out _));
        }

        Assert.Equal(Count, takenInByA.Sum("direction", "in") + takenInByB.Sum("direction", "in"));
        var history = await a.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("cluster.events", new HistoryQuery(null, null));
        Assert.Equal(Count, history.Position.Offset);
    }
}

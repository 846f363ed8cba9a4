using System.Text;
using Switchboard.Protocol;
using Switchboard.Redis.Internal;
using Switchboard.Brokers;
using Switchboard.Presence;

namespace Switchboard.Redis.Tests;

/// <summary>What only a shared Redis raises: key prefixes, glob mapping, and the entries of a node that died.</summary>
public sealed class RedisSpecificTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static PublishRequest Request(string channel) =>
        new(channel, "1"u8.ToArray(), null, null, new HistoryPolicy(10, TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Applications_with_different_key_prefixes_share_a_redis_without_seeing_each_other()
    {
        await using var first = RedisTestConnections.Create(server, "app1:");
        await using var second = RedisTestConnections.Create(server, "app2:");
        var one = RedisTestConnections.Broker(first);
        var two = RedisTestConnections.Broker(second);
        var received = new Received();
        await one.StartAsync(new Received(), None);
        await two.StartAsync(received, None);
        await two.SubscribeAsync(ChannelPattern.Parse("shared.>"), None);

        Assert.Equal(1, (await one.PublishAsync(Request("shared.a"), None)).Position.Offset);
        Assert.Equal(2, (await one.PublishAsync(Request("shared.a"), None)).Position.Offset);
        Assert.Equal(1, (await two.PublishAsync(Request("shared.a"), None)).Position.Offset);
        var publication = await received.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, publication.Offset); // app2's own, never app1's.
        Assert.Single((await two.GetHistoryAsync("shared.a", default, None)).Publications);
        await one.DisposeAsync();
        await two.DisposeAsync();
    }

    [Fact]
    public void Wildcards_become_globs_and_the_prefix_is_escaped()
    {
        var keys = new RedisKeys("my*app[1]:");
        Assert.Equal(@"my\*app\[1\]:msg:orders.*.items.*", keys.Subscription(ChannelPattern.Parse("orders.*.items.>")).ToString());
        Assert.Equal("my*app[1]:msg:orders.eu", keys.Subscription(ChannelPattern.Parse("orders.eu")).ToString());
        Assert.Equal("orders.eu", keys.ChannelOf("my*app[1]:msg:orders.eu"));
        Assert.Null(keys.ChannelOf("other:msg:orders.eu"));
        Assert.Equal("my*app[1]:{orders.eu}:meta", keys.Meta("orders.eu").ToString());
    }

    [Fact]
    public async Task The_presence_of_a_node_that_died_disappears_within_its_time_to_live()
    {
        var prefix = RedisTestConnections.UniquePrefix();
        var ttl = TimeSpan.FromSeconds(1);
        await using var liveConnection = RedisTestConnections.Create(server, prefix, ttl);
        await using var live = RedisTestConnections.PresenceStore(liveConnection);
        var dyingConnection = RedisTestConnections.Create(server, prefix, ttl);
        var dying = RedisTestConnections.PresenceStore(dyingConnection);

        await live.AddAsync("room.z", new PresenceEntry("live-1", "ann", Encoding.UTF8.GetBytes("{\"a\":1}")), None);
        await dying.AddAsync("room.z", new PresenceEntry("dead-1", "bob", ReadOnlyMemory<byte>.Empty), None);
        Assert.Equal(["dead-1", "live-1"], (await live.GetAsync("room.z", None)).Select(e => e.Client).Order());

        // The node "dies": its connection goes and nothing refreshes its liveness key any more.
        await dyingConnection.DisposeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        IReadOnlyList<PresenceEntry> entries;
        while ((entries = await live.GetAsync("room.z", None)).Count != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var entry = Assert.Single(entries);
        Assert.Equal("live-1", entry.Client);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(entry.Info.Span));

        // The live node keeps its own entries past several of its time to live.
        await Task.Delay(ttl * 2);
        Assert.Equal("live-1", Assert.Single(await live.GetAsync("room.z", None)).Client);
        await dying.DisposeAsync();
    }

    [Fact]
    public async Task A_node_whose_liveness_key_was_lost_writes_its_entries_again()
    {
        var prefix = RedisTestConnections.UniquePrefix();
        await using var connection = RedisTestConnections.Create(server, prefix, TimeSpan.FromSeconds(1));
        await using var store = RedisTestConnections.PresenceStore(connection);
        await store.AddAsync("room.w", new PresenceEntry("c1", "ann", ReadOnlyMemory<byte>.Empty), None);

        // As after a Redis restart, or another node cleaning up after this one while it was cut off.
        var multiplexer = await connection.GetAsync();
        var database = multiplexer.GetDatabase();
        await foreach (var key in multiplexer.GetServer(multiplexer.GetEndPoints()[0]).KeysAsync(pattern: prefix + "*"))
        {
            await database.KeyDeleteAsync(key);
        }

        Assert.Empty(await store.GetAsync("room.w", None));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        IReadOnlyList<PresenceEntry> entries;
        while ((entries = await store.GetAsync("room.w", None)).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var entry = Assert.Single(entries);
        Assert.Equal(("c1", "ann"), (entry.Client, entry.User));
    }

    private sealed class Received : IBrokerEventHandler
    {
        public TaskCompletionSource<Publication> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HandlePublication(Publication publication) => First.TrySetResult(publication);
    }
}

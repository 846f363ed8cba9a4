using System.Text;
using StackExchange.Redis;
using Switchboard.Presence;

namespace Switchboard.Redis.Tests;

/// <summary>
/// Presence writes are batched per node: many subscribes in one batch interval are one <c>HSET</c> per channel, and a
/// client that joins and leaves within one batch costs no write at all. Counted with Redis's own command statistics,
/// on a redis-server of this class alone.
/// </summary>
public sealed class PresenceBatchingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private async Task<long> CallsAsync(string command)
    {
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");
        var info = await probe.GetServer(probe.GetEndPoints()[0]).InfoRawAsync("commandstats");
        var line = info!.Split('\n').FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_burst_of_adds_is_one_hset_per_channel_and_an_add_removed_in_the_same_batch_writes_nothing()
    {
        // A long interval, so that the whole burst surely falls into one batch on a loaded machine.
        await using var connection = RedisTestConnections.Create(redis, batchInterval: TimeSpan.FromMilliseconds(500));
        await using var store = RedisTestConnections.PresenceStore(connection);
        // StackExchange.Redis sends a many-field HSET as HMSET.
        var before = (Set: await CallsAsync("hset") + await CallsAsync("hmset"), Delete: await CallsAsync("hdel"));

        // Queued together (each call completes with the batch that carries it).
        var changes = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            changes.Add(store.AddAsync(i % 2 == 0 ? "burst.a" : "burst.b", new PresenceEntry($"c{i}", null, Encoding.UTF8.GetBytes("{}")), CancellationToken.None).AsTask());
        }

        changes.Add(store.AddAsync("burst.a", new PresenceEntry("gone", null, default), CancellationToken.None).AsTask());
        changes.Add(store.RemoveAsync("burst.a", "gone", CancellationToken.None).AsTask());
        await Task.WhenAll(changes);

        Assert.Equal(100, (await store.GetAsync("burst.a", CancellationToken.None)).Count);
        Assert.Equal(100, (await store.GetAsync("burst.b", CancellationToken.None)).Count);
        Assert.Equal(2, await CallsAsync("hset") + await CallsAsync("hmset") - before.Set);
        Assert.Equal(1, await CallsAsync("hdel") - before.Delete); // "gone": one HDEL of a field never written.
    }
}

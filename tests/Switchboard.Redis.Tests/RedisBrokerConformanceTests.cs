using StackExchange.Redis;
using Switchboard.Redis.Internal;
using Switchboard.Brokers;
using Switchboard.Conformance;

namespace Switchboard.Redis.Tests;

/// <summary>The shared broker conformance suite against <see cref="RedisBroker"/> on a real redis-server.</summary>
public sealed class RedisBrokerConformanceTests(RedisServer server) : BrokerConformanceTests, IClassFixture<RedisServer>
{
    private readonly List<RedisConnection> _connections = [];
    private readonly Dictionary<IBroker, RedisConnection> _connectionOf = [];

    protected override IBroker CreateBroker()
    {
        var connection = RedisTestConnections.Create(server);
        _connections.Add(connection);
        var broker = RedisTestConnections.Broker(connection);
        _connectionOf[broker] = connection;
        return broker;
    }

    /// <summary>Deletes every key under the broker's prefix, as a restart of a Redis without persistence would.</summary>
    protected override async Task ResetAsync(IBroker broker)
    {
        var connection = _connectionOf[broker];
        var multiplexer = await connection.GetAsync();
        var keys = new List<RedisKey>();
        await foreach (var key in multiplexer.GetServer(multiplexer.GetEndPoints()[0]).KeysAsync(pattern: connection.Keys.Prefix + "*"))
        {
            keys.Add(key);
        }

        Assert.NotEmpty(keys);
        await multiplexer.GetDatabase().KeyDeleteAsync([.. keys]);
    }

    // Redis keeps time itself: let it pass.
    protected override Task AdvanceTimeAsync(TimeSpan time) => Task.Delay(time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}

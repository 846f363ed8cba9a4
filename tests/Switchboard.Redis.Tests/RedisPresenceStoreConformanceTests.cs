using Switchboard.Redis.Internal;
using Switchboard.Conformance;
using Switchboard.Presence;

namespace Switchboard.Redis.Tests;

/// <summary>The shared presence store conformance suite against <see cref="RedisPresenceStore"/> on a real redis-server.</summary>
public sealed class RedisPresenceStoreConformanceTests(RedisServer server) : PresenceStoreConformanceTests, IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly List<RedisConnection> _connections = [];
    private readonly List<RedisPresenceStore> _stores = [];

    protected override IPresenceStore CreateStore()
    {
        var connection = RedisTestConnections.Create(server);
        _connections.Add(connection);
        var store = RedisTestConnections.PresenceStore(connection);
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}

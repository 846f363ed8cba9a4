using Microsoft.Extensions.DependencyInjection;
using Switchboard.Host;
using Switchboard.Brokers;
using Switchboard.Presence;

namespace Switchboard.Redis.Tests;

/// <summary><c>switchboard serve</c> uses Redis when <c>Switchboard:Redis:Configuration</c> is set, and memory otherwise.</summary>
public sealed class ServeRedisTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Serve_with_a_redis_configuration_uses_the_redis_broker_and_presence_store()
    {
        await using var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, [$"--Switchboard:Redis:Configuration={redis.Configuration}", "--Switchboard:Redis:KeyPrefix=serve-test:"]);
        Assert.IsType<RedisBroker>(app.Services.GetRequiredService<IBroker>());
        Assert.IsType<RedisPresenceStore>(app.Services.GetRequiredService<IPresenceStore>());
    }

    [Fact]
    public async Task Serve_without_it_stays_in_memory()
    {
        await using var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, []);
        Assert.IsType<MemoryBroker>(app.Services.GetRequiredService<IBroker>());
        Assert.IsType<MemoryPresenceStore>(app.Services.GetRequiredService<IPresenceStore>());
    }
}

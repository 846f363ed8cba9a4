using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;
using Switchboard.Server.Tests.Delivery;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Redis.Tests;

/// <summary>The <c>history</c> paging tests on a node with the Redis broker.</summary>
public sealed class RedisHistoryPagingTests(RedisServer redis) : HistoryPagingTests, IClassFixture<RedisServer>
{
    protected override Task<TestServer> StartServerAsync(Action<SwitchboardOptions> configure)
    {
        var prefix = RedisTestConnections.UniquePrefix();
        return TestServer.StartAsync(configure, services => services.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = prefix;
        }));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Redis.Tests;

/// <summary>Two real Switchboard nodes (Kestrel on 127.0.0.1:0), both on one redis-server under one key prefix.</summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private ClusterNodes(TestServer a, TestServer b, string prefix)
    {
        A = a;
        B = b;
        Prefix = prefix;
    }

    /// <summary>The key prefix both nodes use.</summary>
    public string Prefix { get; }

    public TestServer A { get; }

    public TestServer B { get; }

    public static async Task<ClusterNodes> StartAsync(RedisServer redis)
    {
        var prefix = RedisTestConnections.UniquePrefix();
        void UseRedis(IServiceCollection services) => services.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = prefix;
        });

        var a = await TestServer.StartAsync(configureServices: UseRedis);
        var b = await TestServer.StartAsync(configureServices: UseRedis);
        return new ClusterNodes(a, b, prefix);
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

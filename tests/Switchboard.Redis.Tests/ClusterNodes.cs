using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;

namespace Switchboard.Redis.Tests;

/// <summary>
/// Real Switchboard nodes (Kestrel on 127.0.0.1:0), all on one redis-server under one key prefix. A node may reach
/// Redis through its own address (a <see cref="TcpProxy"/>, to cut or stall its link alone).
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private ClusterNodes(TestServer[] nodes, string prefix)
    {
        Nodes = nodes;
        Prefix = prefix;
    }

    /// <summary>The key prefix every node uses.</summary>
    public string Prefix { get; }

    public TestServer[] Nodes { get; }

    public TestServer A => Nodes[0];

    public TestServer B => Nodes[1];

    public TestServer C => Nodes[2];

    /// <param name="redis">The Redis every node shares.</param>
    /// <param name="count">How many nodes.</param>
    /// <param name="configurationOf">The Redis configuration string of node i (default: the server's own).</param>
    /// <param name="configure">Switchboard options for every node.</param>
    /// <param name="configureServices">More services or options for every node (security, say).</param>
    /// <param name="prefix">The key prefix (default: a new one), to add nodes of another kind to the cluster.</param>
    /// <param name="configureRedis">Redis options for every node, after the configuration and prefix.</param>
    /// <param name="configureApp">More endpoints on every node (the HTTP API, say).</param>
    public static async Task<ClusterNodes> StartAsync(
        RedisServer redis,
        int count = 2,
        Func<int, string>? configurationOf = null,
        Action<SwitchboardOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        string? prefix = null,
        Action<SwitchboardRedisOptions>? configureRedis = null,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? configureApp = null)
    {
        prefix ??= RedisTestConnections.UniquePrefix();
        var nodes = new TestServer[count];
        for (var i = 0; i < count; i++)
        {
            var configuration = configurationOf?.Invoke(i) ?? redis.Configuration;
            nodes[i] = await TestServer.StartAsync(configure, services =>
            {
                services.AddSwitchboardRedis(o =>
                {
                    o.Configuration = configuration;
                    o.KeyPrefix = prefix;
                    configureRedis?.Invoke(o);
                });
                configureServices?.Invoke(services);
            }, configureApp);
        }

        return new ClusterNodes(nodes, prefix);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}

using StackExchange.Redis;
using Switchboard.Redis.Internal;
using Switchboard.Server.Tests.Delivery;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Redis.Tests;

/// <summary>
/// <see cref="StreamLifecycleProperties"/> on two nodes sharing a real redis-server (followers on both, the publisher on
/// the second): a sweep lets Redis expire the keys of the streams nobody has published to (as an empty stream's keys
/// expire after a minute), a new epoch lets every stream's keys expire (Redis restarted without persistence).
/// </summary>
public sealed class RedisStreamLifecycleTests(RedisServer redis) : StreamLifecycleProperties, IClassFixture<RedisServer>
{
    protected override async Task<IStreamLifecycleRig> StartAsync()
    {
        var log = new LogCapture();
        var nodes = await ClusterNodes.StartAsync(redis, configureServices: log.Attach);
        var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        return new Rig(nodes, probe, log);
    }

    private sealed class Rig(ClusterNodes nodes, ConnectionMultiplexer probe, LogCapture log) : IStreamLifecycleRig
    {
        private readonly RedisKeys _keys = new(nodes.Prefix);

        public IReadOnlyList<TestServer> Nodes => nodes.Nodes;

        public LogCapture Log => log;

        public async Task SweepAsync(IReadOnlyList<string> channels)
        {
            foreach (var channel in channels)
            {
                var offset = await probe.GetDatabase().HashGetAsync(_keys.Meta(channel), "o");
                if (offset.IsNull || offset == 0)
                {
                    await ExpiredStreamTests.ExpireAsync(probe.GetDatabase(), _keys, channel);
                }
            }
        }

        public async Task NewEpochAsync(IReadOnlyList<string> channels)
        {
            foreach (var channel in channels)
            {
                await ExpiredStreamTests.ExpireAsync(probe.GetDatabase(), _keys, channel);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await nodes.DisposeAsync();
            await probe.DisposeAsync();
        }
    }
}

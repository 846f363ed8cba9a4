using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Redis.Internal;

namespace Switchboard.Redis.Tests;

/// <summary>Creates brokers and presence stores on a test Redis, each under its own key prefix so tests share nothing.</summary>
internal static class RedisTestConnections
{
    public static RedisConnection Create(RedisServer server, string? prefix = null, TimeSpan? presenceNodeTtl = null, TimeSpan? batchInterval = null) =>
        new(Options.Create(new SwitchboardRedisOptions
        {
            Configuration = server.Configuration,
            KeyPrefix = prefix ?? UniquePrefix(),
            PresenceNodeTtl = presenceNodeTtl ?? TimeSpan.FromSeconds(30),
            BatchInterval = batchInterval ?? TimeSpan.FromMilliseconds(2),
        }), NullLogger<RedisConnection>.Instance);

    public static string UniquePrefix() => $"t{Guid.NewGuid():N}:";

    public static RedisBroker Broker(RedisConnection connection) => new(connection, NullLogger<RedisBroker>.Instance);

    public static RedisPresenceStore PresenceStore(RedisConnection connection) => new(connection, NullLogger<RedisPresenceStore>.Instance);
}

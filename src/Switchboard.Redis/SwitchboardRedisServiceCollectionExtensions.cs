using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Redis;
using Switchboard.Redis.Internal;
using Switchboard.Brokers;
using Switchboard.Presence;
using Switchboard.Cluster;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes several Switchboard nodes behave as one through a shared Redis.</summary>
public static class SwitchboardRedisServiceCollectionExtensions
{
    /// <summary>
    /// Uses Redis for the broker (<see cref="RedisBroker"/>), the presence store (<see cref="RedisPresenceStore"/>) and
    /// the control bus between nodes (<see cref="RedisClusterBus"/>),
    /// replacing the in-memory ones whether called before or after <c>AddSwitchboard</c>. Options are bound from the
    /// <c>Switchboard:Redis</c> section, then <paramref name="configure"/> applies.
    /// </summary>
    public static IServiceCollection AddSwitchboardRedis(this IServiceCollection services, Action<SwitchboardRedisOptions>? configure = null)
    {
        var options = services.AddOptions<SwitchboardRedisOptions>().BindConfiguration(SwitchboardRedisOptions.SectionName).ValidateOnStart();
        services.AddSingleton(new Switchboard.SwitchboardSettingsSection(SwitchboardRedisOptions.SectionName, typeof(SwitchboardRedisOptions))); // Its keys pass the unknown-setting check.
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardRedisOptions>, SwitchboardRedisOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();
        services.RemoveAll<IBroker>();
        services.RemoveAll<IPresenceStore>();
        services.RemoveAll<IClusterBus>();
        services.AddSingleton<IBroker>(static sp => new RedisBroker(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<ILogger<RedisBroker>>()));
        services.AddSingleton<IPresenceStore>(static sp => new RedisPresenceStore(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<ILogger<RedisPresenceStore>>()));
        services.AddSingleton<IClusterBus>(static sp => new RedisClusterBus(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<ILogger<RedisClusterBus>>()));
        services.AddHealthChecks().AddCheck<RedisReadinessCheck>("redis", tags: ["ready"]); // SwitchboardHealthChecks.Ready: counts for /health/ready.
        return services;
    }

    /// <summary>Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string such as <c>127.0.0.1:6379</c>).</summary>
    public static IServiceCollection AddSwitchboardRedis(this IServiceCollection services, string configuration) =>
        services.AddSwitchboardRedis(o => o.Configuration = configuration);
}

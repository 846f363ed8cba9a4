using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Switchboard.Redis.Internal;

/// <summary>
/// The one Redis connection (multiplexer) a node's broker, presence store and cluster bus share, with the node's id
/// on the bus (which tags its presence entries) and its batched writer. Connects on first use; a node
/// starts even when Redis is down and reconnects on its own, and commands fail fast while it is disconnected.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly ILogger _logger;

    public RedisConnection(IOptions<SwitchboardRedisOptions> options, ILogger<RedisConnection> logger)
    {
        var value = options.Value;
        Keys = new RedisKeys(value.KeyPrefix);
        PresenceNodeTtl = value.PresenceNodeTtl;
        _logger = logger;
        Writer = new RedisNodeWriter(GetAsync, value.BatchInterval, logger);
        ConfigurationOptions configuration;
        if (value.ConfigurationOptions is { } given)
        {
            configuration = given.Clone();
        }
        else
        {
            configuration = ConfigurationOptions.Parse(value.Configuration ?? string.Empty);
            // Retry twice a second rather than backing off: a node without Redis cannot publish, so it should be back soon.
            configuration.ReconnectRetryPolicy = new LinearRetry(500);
        }

        configuration.AbortOnConnectFail = false;
        // Fail at once while disconnected: a client gets `unavailable` instead of a command that hangs for seconds.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(configuration));
    }

    public RedisKeys Keys { get; }

    public TimeSpan PresenceNodeTtl { get; }

    /// <summary>This process's id among the nodes: on the control bus, and in the presence entries it writes.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The node's batched presence and control bus writes.</summary>
    public RedisNodeWriter Writer { get; }

    public Task<ConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync().ConfigureAwait(false);
        if (_multiplexer.IsValueCreated)
        {
            var multiplexer = await _multiplexer.Value.ConfigureAwait(false);
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration)
    {
        RedisLog.Connecting(_logger, string.Join(",", configuration.EndPoints), Keys.Prefix);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
        multiplexer.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?");
        return multiplexer;
    }
}

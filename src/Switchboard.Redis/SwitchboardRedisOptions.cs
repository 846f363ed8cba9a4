using StackExchange.Redis;

namespace Switchboard.Redis;

/// <summary>
/// How the nodes of a Switchboard cluster reach their shared Redis. Bound from the <c>Switchboard:Redis</c>
/// configuration section (e.g. <c>Switchboard:Redis:Configuration=127.0.0.1:6379</c>).
/// </summary>
public sealed class SwitchboardRedisOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Switchboard:Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=...</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Full StackExchange.Redis options; when set, used instead of <see cref="Configuration"/>. Switchboard still sets
    /// <c>AbortOnConnectFail=false</c> and a fail-fast backlog, so that a node starts without Redis and a publish made
    /// while Redis is down fails at once with <c>unavailable</c> instead of waiting.
    /// </summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Prefix of every key and pub/sub channel, so that several applications can share one Redis. Default <c>switchboard:</c>.</summary>
    public string KeyPrefix { get; set; } = "switchboard:";

    /// <summary>
    /// How long a node that died without saying so (killed, crashed, cut off) still counts as alive: its presence
    /// entries stay listed at most this long, and the other nodes take it as lost (and send <c>leave</c> for its
    /// clients) when they have not heard its control bus heartbeat for this long. Live nodes refresh their liveness
    /// key and send a heartbeat every third of this. Default 30 seconds.
    /// </summary>
    public TimeSpan PresenceNodeTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node collects presence changes and control bus messages before writing them to Redis in one pipeline.
    /// Whatever arrives while a batch is being written goes in the next one anyway; a longer interval batches more at
    /// low load and delays subscribes (which wait for their presence entry), presence and sends by as much. Default 2
    /// milliseconds; zero writes as soon as the previous batch is done.
    /// </summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(2);
}

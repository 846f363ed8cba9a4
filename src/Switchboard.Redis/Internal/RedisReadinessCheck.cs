using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Switchboard.Redis.Internal;

/// <summary>
/// Readiness of the Redis broker: a PING answered within two seconds. While Redis is unreachable the node cannot
/// publish or receive other nodes' publications, so it should take no new clients (commands fail fast with
/// <c>unavailable</c> meanwhile); it is ready again as soon as the multiplexer has reconnected.
/// </summary>
internal sealed class RedisReadinessCheck(RedisConnection connection) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var multiplexer = await connection.GetAsync().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                return HealthCheckResult.Unhealthy("Redis is unreachable; reconnecting");
            }

            var latency = await multiplexer.GetDatabase().PingAsync().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered PING in {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The exception's message may name hosts and settings; the probe's answer says only what failed.
            return HealthCheckResult.Unhealthy($"Redis did not answer PING ({ex.GetType().Name})");
        }
    }
}

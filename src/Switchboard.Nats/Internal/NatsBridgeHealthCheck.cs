using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Switchboard.Nats.Internal;

/// <summary>
/// Readiness of the NATS bridge: healthy while connected; otherwise degraded (or unhealthy with
/// <see cref="SwitchboardNatsOptions.RequiredForReadiness"/>), since WebSocket clients are still served without NATS.
/// </summary>
internal sealed class NatsBridgeHealthCheck(NatsBridgeStatus status, IOptions<SwitchboardNatsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["connected"] = status.IsConnected,
            ["since"] = status.Since.ToString("O"),
            ["intakes"] = $"{status.ActiveIntakes}/{status.Intakes}",
        };
        if (status.IsHealthy)
        {
            return Task.FromResult(HealthCheckResult.Healthy(status.Description, data));
        }

        var description = status.IsConnected
            ? $"NATS bridge: {status.ActiveIntakes} of {status.Intakes} bridges subscribed"
            : $"NATS bridge not connected: {status.Description}";
        return Task.FromResult(options.Value.RequiredForReadiness
            ? HealthCheckResult.Unhealthy(description, data: data)
            : HealthCheckResult.Degraded(description, data: data));
    }
}

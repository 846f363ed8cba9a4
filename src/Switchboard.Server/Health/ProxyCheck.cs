using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Switchboard.Server.Proxy;
using Switchboard.Server.Proxy.Internal;

namespace Switchboard.Server.Health;

/// <summary>Readiness: degraded while the proxy's circuit breaker is open (commands that need the backend get <c>unavailable</c>).</summary>
internal sealed class ProxyCheck(ProxyCircuit circuit, IOptions<SwitchboardProxyOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!options.Value.IsEnabled
            ? HealthCheckResult.Healthy("no proxy configured")
            : circuit.IsOpen
                ? HealthCheckResult.Degraded("the application's backend is failing: the proxy's circuit breaker is open")
                : HealthCheckResult.Healthy($"proxy circuit {circuit.State.CircuitState.ToString().ToLowerInvariant()}"));
}

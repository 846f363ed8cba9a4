using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Health;

/// <summary>
/// Readiness of this node: unhealthy from the moment shutdown starts draining connections, so that a load balancer or
/// Kubernetes stops sending new clients here while the open ones take their 1001 and reconnect elsewhere.
/// </summary>
internal sealed class NodeReadinessCheck(SwitchboardNode node) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(node.IsDraining
            ? HealthCheckResult.Unhealthy("draining: the node is shutting down and refuses new connections")
            : HealthCheckResult.Healthy($"accepting connections ({node.Connections.Count} open)"));
}

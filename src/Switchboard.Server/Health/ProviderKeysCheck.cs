using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Health;

/// <summary>Readiness: unhealthy while a configured provider has not given any signing key yet (every token would be refused).</summary>
internal sealed class ProviderKeysCheck(ProviderKeys keys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(keys.Manager is null || keys.HasKeys
            ? HealthCheckResult.Healthy(keys.Manager is null ? "no key provider configured" : $"signing keys from {keys.Address}")
            : HealthCheckResult.Unhealthy($"no signing keys from {keys.Address} yet: {keys.Failure}"));
}

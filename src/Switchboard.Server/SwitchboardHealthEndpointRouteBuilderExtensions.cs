using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Switchboard's health endpoints for load balancers and Kubernetes probes.</summary>
public static class SwitchboardHealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>{prefix}/live</c> (200 while the process serves HTTP; no checks run) and <c>{prefix}/ready</c> (200 when
    /// every check tagged <see cref="SwitchboardHealthChecks.Ready"/> is healthy, 503 otherwise: while the node drains,
    /// or the broker is unreachable). Both answer with a JSON report. The checks are registered by <c>AddSwitchboard</c>
    /// (and <c>AddSwitchboardRedis</c> for Redis).
    /// </summary>
    public static IEndpointRouteBuilder MapSwitchboardHealthChecks(this IEndpointRouteBuilder endpoints, string prefix = "/health")
    {
        prefix = prefix.TrimEnd('/');
        endpoints.MapHealthChecks(prefix + "/live", new HealthCheckOptions
        {
            Predicate = static check => check.Tags.Contains(SwitchboardHealthChecks.Live),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).WithDisplayName("Switchboard liveness");
        endpoints.MapHealthChecks(prefix + "/ready", new HealthCheckOptions
        {
            Predicate = static check => check.Tags.Contains(SwitchboardHealthChecks.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).WithDisplayName("Switchboard readiness");
        return endpoints;
    }
}

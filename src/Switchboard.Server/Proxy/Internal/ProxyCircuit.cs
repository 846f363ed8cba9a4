using Polly.CircuitBreaker;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>The state of the proxy's circuit breaker, for <c>/health/ready</c>.</summary>
/// <remarks>Thread safety: the provider is read from any thread.</remarks>
internal sealed class ProxyCircuit
{
    public CircuitBreakerStateProvider State { get; } = new();

    /// <summary>Whether calls are refused without being made (open, or isolated).</summary>
    public bool IsOpen => State.CircuitState is CircuitState.Open or CircuitState.Isolated;
}

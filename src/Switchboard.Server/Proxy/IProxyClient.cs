using Switchboard.Server.Handlers;

namespace Switchboard.Server.Proxy;

/// <summary>
/// The application's backend for a custom protocol's handler (docs/proxy.md, "From a handler"): the same calls the
/// built-in protocol makes, with the same bounds and the same fail-closed answers. Take it in the handler's
/// constructor. A call is a <c>POST</c> of <c>{"client","user","transport":"websocket","channel","method","data"}</c>
/// with the connection's forwarded headers (its session cookie), through the proxy's HTTP client: at most
/// <see cref="SwitchboardProxyOptions.Timeout"/>, the circuit breaker, <see cref="SwitchboardProxyOptions.MaxConcurrentCalls"/>
/// and <see cref="SwitchboardProxyOptions.MaxQueuedCalls"/>, <see cref="SwitchboardProxyOptions.MaxResponseSize"/>, no retries.
/// </summary>
/// <remarks>
/// The outcome is never an exception: a backend that is down, slow, answers non-2xx, non-JSON or an unknown shape
/// gives <see cref="ProxyOutcome.FailureReason"/> and <see cref="ProxyOutcome.Error"/> <c>unavailable</c>; only
/// <see cref="ProxyOutcome.IsAllowed"/> allows. A <c>disconnect</c> answer closes the connection with its code (the
/// messages already queued go first) and is returned too. Telling the client about an <c>error</c> is the handler's
/// job, in its protocol's words (<see cref="HandlerConnection.SendError(string)"/>). Metrics and spans tag the call
/// with kind <c>handler</c>. Thread safety: safe from every connection at once.
/// </remarks>
public interface IProxyClient
{
    /// <summary>Makes <paramref name="call"/> for <paramref name="connection"/>; cancelled also when the connection ends.</summary>
    /// <exception cref="ArgumentException"><see cref="ProxyCall.Url"/> is not an absolute <c>http</c> or <c>https</c> URL.</exception>
    Task<ProxyOutcome> CallAsync(HandlerConnection connection, ProxyCall call, CancellationToken cancellationToken = default);
}

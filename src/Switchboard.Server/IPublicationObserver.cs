using Switchboard.Brokers;

namespace Switchboard.Server;

/// <summary>
/// Sees every new publication made through this node (a client's <c>publish</c>, <see cref="ISwitchboard.PublishAsync(string, ReadOnlyMemory{byte}, string?, CancellationToken)"/>
/// and so the HTTP API), once, after the broker accepted it. Register implementations as singletons in DI; bridges to
/// other systems (e.g. <c>Switchboard.Nats</c>) use it to forward what is published.
/// </summary>
/// <remarks>
/// Called on the node where the publish happened, never on the nodes that merely deliver it, so a cluster reports each
/// publication once. Not called for a repeated idempotency key (nothing was published). Called inline in the
/// publishing call's flow, before the publisher gets its reply (so ambient state such as an <see cref="AsyncLocal{T}"/>
/// set by the publisher is visible); it must not block and must not throw: hand the work to a queue and return.
/// Thread safety: called from many threads at once.
/// </remarks>
public interface IPublicationObserver
{
    /// <summary>Called once per new publication made through this node.</summary>
    /// <param name="request">What was published (channel, data, publisher, idempotency key).</param>
    /// <param name="result">The position it got.</param>
    void OnPublished(PublishRequest request, PublishResult result);
}

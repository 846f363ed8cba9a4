using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Presence;

namespace Switchboard.Server.Internal;

/// <summary>
/// This node's side of the broker: receives every publication the broker delivers and fans it out to local
/// subscribers, and subscribes the node to a channel once while it has at least one local subscriber.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
internal sealed class SwitchboardNode : IBrokerEventHandler
{
    private const int StripeCount = 64;

    // Serialises "first local subscriber / last one left" with the broker (un)subscribe for the same channel, so a
    // quick unsubscribe-resubscribe can never leave the node unsubscribed from a channel that has subscribers.
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public SwitchboardNode(IBroker broker, IPresenceStore presence, IOptions<SwitchboardOptions> options, ILogger<PresenceTracker> presenceLogger)
    {
        Broker = broker;
        Options = options.Value;
        Presence = new PresenceTracker(presence, Subscriptions, presenceLogger);
    }

    public IBroker Broker { get; }

    public SwitchboardOptions Options { get; }

    public SubscriptionRegistry Subscriptions { get; } = new();

    public ConnectionRegistry Connections { get; } = new();

    /// <summary>Presence entries and join/leave events of this node's subscriptions.</summary>
    public PresenceTracker Presence { get; }

    /// <summary>When this node started, for stats.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Set when shutdown starts: new connections are refused with 503.</summary>
    public bool IsDraining { get; set; }

    /// <summary>The history policy of a channel. Channel rules (per pattern) refine this later; today one policy for all.</summary>
    public HistoryPolicy HistoryFor(string channel) => new(Options.HistorySize, Options.HistoryTtl);

    /// <summary>Traffic counters for the HTTP API's <c>info</c> (the admin page).</summary>
    public NodeTraffic Traffic { get; } = new();

    public void HandlePublication(Publication publication) => Traffic.Delivered(Subscriptions.Deliver(publication));

    public async ValueTask AddSubscriptionAsync(ChannelSubscription subscription, CancellationToken cancellationToken)
    {
        var stripe = StripeOf(subscription.Channel);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Subscriptions.Add(subscription))
            {
                try
                {
                    await Broker.SubscribeAsync(subscription.Channel, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Subscriptions.Remove(subscription);
                    throw;
                }
            }
        }
        finally
        {
            stripe.Release();
        }

        await Presence.JoinAsync(subscription).ConfigureAwait(false);
    }

    public async ValueTask RemoveSubscriptionAsync(ChannelSubscription subscription)
    {
        var stripe = StripeOf(subscription.Channel);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Subscriptions.Remove(subscription))
            {
                await Broker.UnsubscribeAsync(subscription.Channel, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            stripe.Release();
        }

        await Presence.LeaveAsync(subscription).ConfigureAwait(false);
    }

    private SemaphoreSlim StripeOf(ChannelPattern channel) =>
        _stripes[(uint)StringComparer.Ordinal.GetHashCode(channel.Value) % StripeCount];
}

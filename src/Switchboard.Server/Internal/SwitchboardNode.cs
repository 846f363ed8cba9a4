using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Presence;
using Switchboard.Cluster;

namespace Switchboard.Server.Internal;

/// <summary>
/// This node's side of the broker: receives every publication the broker delivers and fans it out to local
/// subscribers, and subscribes the node to a channel once while it has at least one local subscriber.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
internal sealed class SwitchboardNode : IBrokerEventHandler, IDisposable
{
    // Serialises "first local subscriber / last one left" with the broker (un)subscribe for the same channel.
    private readonly ChannelLocks _channelLocks = new();

    private readonly IPublicationObserver[] _observers;

    public SwitchboardNode(IBroker broker, IPresenceStore presence, IOptions<SwitchboardOptions> options, ILogger<PresenceTracker> presenceLogger, IEnumerable<IPublicationObserver>? observers = null, Diagnostics.SwitchboardMetrics? metrics = null, TimeProvider? time = null, IClusterBus? bus = null)
    {
        // Every broker call of the node goes through Broker, so measuring it there times each round trip once.
        Broker = metrics is null ? broker : new MeasuredBroker(broker, metrics);
        Bus = bus ?? new MemoryClusterBus();
        _observers = observers?.ToArray() ?? [];
        Options = options.Value;
        Time = time ?? TimeProvider.System;
        StartedAt = Time.GetUtcNow();
        Presence = new PresenceTracker(presence, Bus, presenceLogger);
        Gate = new PublicationGate(Options.MaxPublicationSize, metrics);
        Continuity = new StreamContinuity(Broker, Subscriptions, presenceLogger, metrics, Time);

        // Read on each collection (a scrape), not kept up to date on the hot path.
        metrics?.Observe(() => Subscriptions.GetChannelCounts().Count, () => Connections.All.Sum(static c => c.Writer.QueuedBytes));
    }

    public IBroker Broker { get; }

    /// <summary>The control bus to the other nodes (a no-op <see cref="MemoryClusterBus"/> on a single node).</summary>
    public IClusterBus Bus { get; }

    public SwitchboardOptions Options { get; }

    /// <summary>The clock of heartbeats and token expiry: the application's <see cref="TimeProvider"/> (a fake one in tests).</summary>
    public TimeProvider Time { get; }

    public SubscriptionRegistry Subscriptions { get; } = new();

    public ConnectionRegistry Connections { get; } = new();

    /// <summary>Presence entries and join/leave events of this node's subscriptions.</summary>
    public PresenceTracker Presence { get; }

    /// <summary>The intake check of every publication and server send (size, and JSON in valid UTF-8).</summary>
    public PublicationGate Gate { get; }

    /// <summary>Keeps every channel's live stream contiguous: dedupes, heals gaps from history, or says there is one.</summary>
    public StreamContinuity Continuity { get; }

    /// <summary>When this node started, for stats.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Set when shutdown starts: new connections are refused with 503.</summary>
    public bool IsDraining { get; set; }

    /// <summary>The history policy of a channel. Channel rules (per pattern) refine this later; today one policy for all.</summary>
    public HistoryPolicy HistoryFor(string channel) => new(Options.HistorySize, Options.HistoryTtl);

    public void HandlePublication(Publication publication) => Continuity.Deliver(publication);

    public void HandleDeliveryRestored() => Continuity.Resume();

    /// <summary>Stops the continuity's timer and its heals' waits (the container disposes the node when the host stops).</summary>
    public void Dispose() => Continuity.Dispose();

    /// <summary>
    /// Switches a subscription to live delivery after its result was queued; <paramref name="start"/> is the result's
    /// position (<see langword="null"/> for a pattern).
    /// </summary>
    public void GoLive(ChannelSubscription subscription, StreamPosition? start)
    {
        if (start is { } position)
        {
            Continuity.Started(subscription.Channel.Value, position);
        }

        subscription.GoLive(start);
    }

    /// <summary>Publishes through the broker and tells the <see cref="IPublicationObserver"/>s: the one path of every publish made on this node.</summary>
    /// <remarks>Throws <see cref="PublicationTooLargeException"/> for data no subscriber could receive; callers outside the protocol parser check the JSON first (<see cref="PublicationGate.RequireValid"/>).</remarks>
    public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        Gate.RequireDeliverable(request.Data.Length);
        return PublishAdmittedAsync(request, cancellationToken);
    }

    private async ValueTask<PublishResult> PublishAdmittedAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var result = await Broker.PublishAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.Duplicate)
        {
            foreach (var observer in _observers)
            {
                observer.OnPublished(request, result);
            }
        }

        return result;
    }

    public async ValueTask AddSubscriptionAsync(ChannelSubscription subscription, CancellationToken cancellationToken)
    {
        using (await _channelLocks.LockAsync(subscription.Channel.Value, cancellationToken).ConfigureAwait(false))
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

                if (!subscription.Channel.IsWildcard)
                {
                    Continuity.Track(subscription.Channel.Value);
                }
            }

            if (subscription.Channel.IsWildcard)
            {
                Continuity.AddPattern(subscription);
            }
        }

        await Presence.JoinAsync(subscription).ConfigureAwait(false);
    }

    public async ValueTask RemoveSubscriptionAsync(ChannelSubscription subscription)
    {
        using (await _channelLocks.LockAsync(subscription.Channel.Value, CancellationToken.None).ConfigureAwait(false))
        {
            if (subscription.Channel.IsWildcard)
            {
                Continuity.RemovePattern(subscription);
            }

            if (Subscriptions.Remove(subscription))
            {
                if (!subscription.Channel.IsWildcard)
                {
                    Continuity.Forget(subscription.Channel.Value);
                }

                await Broker.UnsubscribeAsync(subscription.Channel, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await Presence.LeaveAsync(subscription).ConfigureAwait(false);
    }
}

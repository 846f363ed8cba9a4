using System.Buffers;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Presence;

namespace Switchboard.Server.Internal;

/// <summary>
/// Keeps the presence store in step with this node's subscriptions and sends <c>join</c>/<c>leave</c> to the local
/// subscribers of the channel that asked for them (<c>presence: true</c>), never to the client the event is about.
/// </summary>
/// <remarks>
/// Presence is best effort: a store that fails is logged and never fails a subscribe or leaves a connection half
/// closed. Events reach this node's subscribers only (they are not relayed to other nodes; the presence list itself is
/// cluster-wide with Redis). Cost: the subscriptions that asked for events are kept per channel, so a subscribe or
/// unsubscribe on a channel nobody watches costs one dictionary lookup, and one that is watched is encoded once and
/// sent to the watchers only, as a publication would be.
/// Thread safety: safe from many threads; one connection's join and leave come from its own, serial, receive loop.
/// </remarks>
internal sealed class PresenceTracker
{
    private readonly IPresenceStore _store;
    private readonly ILogger _logger;
    // Channels with subscriptions that asked for events. Changed only by subscribes and unsubscribes with presence: true.
    private readonly Dictionary<string, Watchers> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _watchersGate = new();

    public PresenceTracker(IPresenceStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    public IPresenceStore Store => _store;

    public async ValueTask JoinAsync(ChannelSubscription subscription)
    {
        if (subscription.Channel.IsWildcard || subscription.IsHandlerAudience)
        {
            return;
        }

        // A watcher hears about others from the moment it is subscribed, as a subscriber gets publications.
        if (subscription.PresenceEvents)
        {
            lock (_watchersGate)
            {
                if (!_watchers.TryGetValue(subscription.Channel.Value, out var watchers))
                {
                    _watchers[subscription.Channel.Value] = watchers = new Watchers();
                }

                watchers.Add(subscription);
            }
        }

        var connection = subscription.Connection;
        try
        {
            var entry = new PresenceEntry(connection.Id, connection.Identity.UserId, connection.Identity.Info);
            await _store.AddAsync(subscription.Channel.Value, entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeliveryLog.PresenceStoreFailed(_logger, subscription.Channel.Value, ex);
        }

        Notify(join: true, subscription);
    }

    public async ValueTask LeaveAsync(ChannelSubscription subscription)
    {
        if (subscription.Channel.IsWildcard || subscription.IsHandlerAudience)
        {
            return;
        }

        try
        {
            await _store.RemoveAsync(subscription.Channel.Value, subscription.Connection.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeliveryLog.PresenceStoreFailed(_logger, subscription.Channel.Value, ex);
        }

        if (subscription.PresenceEvents)
        {
            lock (_watchersGate)
            {
                if (_watchers.TryGetValue(subscription.Channel.Value, out var watchers) && watchers.Remove(subscription))
                {
                    _watchers.Remove(subscription.Channel.Value);
                }
            }
        }

        Notify(join: false, subscription);
    }

    private void Notify(bool join, ChannelSubscription subject)
    {
        // Encoded once, on the first subscriber that wants it; every recipient gets the same bytes.
        ReadOnlyMemory<byte> encoded = default;
        ChannelSubscription[] watchers;
        lock (_watchersGate)
        {
            if (!_watchers.TryGetValue(subject.Channel.Value, out var set))
            {
                return; // Nobody on this node asked for events: O(1).
            }

            watchers = set.Snapshot;
        }

        foreach (var peer in watchers)
        {
            if (!peer.PresenceEvents || ReferenceEquals(peer.Connection, subject.Connection))
            {
                continue;
            }

            if (encoded.IsEmpty)
            {
                var buffer = new ArrayBufferWriter<byte>(128);
                var connection = subject.Connection;
                MessageWriter.WritePresenceEvent(buffer, join, subject.Channel.Value, connection.Id, connection.Identity.UserId, connection.Identity.Info.Span);
                encoded = buffer.WrittenMemory;
            }

            peer.Connection.Send(encoded);
        }
    }

    /// <summary>The subscriptions of one channel that asked for presence events, with an array snapshot for fan-out
    /// (rebuilt once after a change). Guarded by the tracker's watchers lock.</summary>
    private sealed class Watchers
    {
        private readonly HashSet<ChannelSubscription> _members = [];
        private ChannelSubscription[]? _snapshot;

        public ChannelSubscription[] Snapshot => _snapshot ??= [.. _members];

        public void Add(ChannelSubscription subscription)
        {
            _members.Add(subscription);
            _snapshot = null;
        }

        /// <summary>Removes one; returns whether none are left.</summary>
        public bool Remove(ChannelSubscription subscription)
        {
            _members.Remove(subscription);
            _snapshot = null;
            return _members.Count == 0;
        }
    }
}

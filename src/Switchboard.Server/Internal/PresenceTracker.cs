using System.Buffers;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Presence;
using Switchboard.Cluster;
using Switchboard.Server.Internal.Cluster;

namespace Switchboard.Server.Internal;

/// <summary>
/// Keeps the presence store in step with this node's subscriptions and sends <c>join</c>/<c>leave</c> to the
/// subscribers of the channel that asked for them (<c>presence: true</c>), never to the client the event is about:
/// those of this node directly, those of other nodes through the control bus.
/// </summary>
/// <remarks>
/// Presence is best effort: a store that fails is logged and never fails a subscribe or leaves a connection half
/// closed; events relayed over the bus are at most once. When the bus reports a node lost, the entries it left in
/// the channels watched here are removed and announced as leaves. Cost: the subscriptions that asked for events are
/// kept per channel, so a subscribe or unsubscribe on a channel nobody on this node watches costs one dictionary
/// lookup, plus (when there are other nodes) one event encoded once and queued on the bus, which batches; one that is
/// watched is sent to the watchers only, the same bytes to each, as a publication would be.
/// Thread safety: safe from many threads; one connection's join and leave come from its own, serial, receive loop.
/// </remarks>
internal sealed class PresenceTracker
{
    private readonly IPresenceStore _store;
    private readonly IClusterBus _bus;
    private readonly ILogger _logger;
    // Channels with subscriptions that asked for events. Changed only by subscribes and unsubscribes with presence: true.
    private readonly Dictionary<string, Watchers> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _watchersGate = new();

    public PresenceTracker(IPresenceStore store, IClusterBus bus, ILogger logger)
    {
        _store = store;
        _bus = bus;
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

    /// <summary>Sends an event another node encoded (a client of that node joined or left) to this node's watchers.</summary>
    public void NotifyRemote(string channel, ReadOnlyMemory<byte> encoded)
    {
        foreach (var peer in WatchersOf(channel) ?? [])
        {
            if (peer.PresenceEvents)
            {
                peer.Connection.Send(encoded);
            }
        }
    }

    /// <summary>
    /// Removes what a lost node left in the channels watched on this node and tells the watchers those clients left.
    /// Channels nobody here watches are left to the store's own expiry. Returns how many entries were removed.
    /// </summary>
    public async Task<int> ForgetNodeAsync(string node)
    {
        string[] channels;
        lock (_watchersGate)
        {
            channels = [.. _watchers.Keys];
        }

        var removed = 0;
        foreach (var channel in channels)
        {
            foreach (var entry in await _store.RemoveNodeAsync(channel, node, CancellationToken.None).ConfigureAwait(false))
            {
                NotifyRemote(channel, Encode(join: false, channel, entry.Client, entry.User, entry.Info.Span));
                removed++;
            }
        }

        return removed;
    }

    private void Notify(bool join, ChannelSubscription subject)
    {
        var channel = subject.Channel.Value;
        var watchers = WatchersOf(channel);
        var relay = _bus.OtherNodes.Count > 0;
        if (watchers is null && !relay)
        {
            return; // Nobody on this node asked for events, and there is no other node: O(1).
        }

        // Encoded once; every recipient on every node gets the same bytes.
        var connection = subject.Connection;
        var encoded = Encode(join, channel, connection.Id, connection.Identity.UserId, connection.Identity.Info.Span);
        if (relay)
        {
            _bus.Send(ControlMessage.Encode(ControlMessage.Presence, channel, encoded));
        }

        foreach (var peer in watchers ?? [])
        {
            if (peer.PresenceEvents && !ReferenceEquals(peer.Connection, connection))
            {
                peer.Connection.Send(encoded);
            }
        }
    }

    private ChannelSubscription[]? WatchersOf(string channel)
    {
        lock (_watchersGate)
        {
            return _watchers.TryGetValue(channel, out var set) ? set.Snapshot : null;
        }
    }

    private static ReadOnlyMemory<byte> Encode(bool join, string channel, string client, string? user, ReadOnlySpan<byte> info)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        MessageWriter.WritePresenceEvent(buffer, join, channel, client, user, info);
        return buffer.WrittenMemory;
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

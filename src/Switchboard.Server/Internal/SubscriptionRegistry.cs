using Switchboard.Internal;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// This node's subscribers per channel and per wildcard pattern. Exact channels live in a sharded table (each shard
/// with its own lock, held only to look the channel up); patterns in a <see cref="WildcardIndex{T}"/>, so a
/// publication visits only the patterns its channel's segments lead to. Delivery iterates array snapshots.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
internal sealed class SubscriptionRegistry
{
    private readonly ShardedTable<string, SubscriberSet> _channels = new(StringComparer.Ordinal);
    private readonly Lock _wildcardGate = new();
    private readonly Dictionary<string, SubscriberSet> _wildcards = new(StringComparer.Ordinal);
    private readonly WildcardIndex<SubscriberSet> _wildcardIndex = new();

    /// <summary>Adds a subscription; returns whether it is the first on this node for its channel or pattern.</summary>
    public bool Add(ChannelSubscription subscription)
    {
        var key = subscription.Channel.Value;
        if (subscription.Channel.IsWildcard)
        {
            lock (_wildcardGate)
            {
                var first = !_wildcards.TryGetValue(key, out var set);
                if (first)
                {
                    set = new SubscriberSet();
                    _wildcards.Add(key, set);
                    _wildcardIndex.Add(subscription.Channel, set);
                }

                set!.Add(subscription);
                return first;
            }
        }

        return _channels.Change(key, subscription, static (set, subscription) =>
        {
            var first = set is null;
            set ??= new SubscriberSet();
            set.Add(subscription);
            return (set, first);
        });
    }

    /// <summary>Removes a subscription; returns whether it was the last on this node for its channel or pattern.</summary>
    public bool Remove(ChannelSubscription subscription)
    {
        var key = subscription.Channel.Value;
        if (subscription.Channel.IsWildcard)
        {
            lock (_wildcardGate)
            {
                if (!_wildcards.TryGetValue(key, out var set) || !set.Remove(subscription) || set.Count > 0)
                {
                    return false;
                }

                _wildcards.Remove(key);
                _wildcardIndex.Remove(subscription.Channel);
                return true;
            }
        }

        return _channels.Change(key, subscription, static (set, subscription) =>
            set is not null && set.Remove(subscription) && set.Count == 0 ? (null, true) : (set, false));
    }

    /// <summary>
    /// Hands a publication to every local subscriber of its channel and of every matching pattern; returns how many
    /// subscriptions it was handed to. Allocates nothing.
    /// </summary>
    public int Deliver(Publication publication)
    {
        var delivered = 0;
        if (_channels.Read(publication.Channel, 0, static (set, _) => set) is { } exact)
        {
            delivered += DeliverTo(exact, publication);
        }

        return delivered + _wildcardIndex.Visit(publication.Channel, publication, static (set, publication) => DeliverTo(set, publication));
    }

    /// <summary>The local subscriptions to exactly this channel (not patterns).</summary>
    public ChannelSubscription[] GetSubscribers(string channel) =>
        _channels.Read(channel, 0, static (set, _) => set?.Snapshot ?? []);

    /// <summary>Every channel and pattern with local subscribers and how many, for stats.</summary>
    public List<KeyValuePair<string, int>> GetChannelCounts()
    {
        var counts = _channels.Select(static (channel, set) => new KeyValuePair<string, int>(channel, set.Count));
        lock (_wildcardGate)
        {
            counts.AddRange(_wildcards.Select(c => new KeyValuePair<string, int>(c.Key, c.Value.Count)));
        }

        return counts;
    }

    private static int DeliverTo(SubscriberSet set, Publication publication)
    {
        var subscribers = set.Snapshot;
        var queued = 0;
        long bytes = 0;
        Diagnostics.SwitchboardMetrics? metrics = null;
        foreach (var subscription in subscribers)
        {
            if (subscription.Deliver(publication) is var sent and > 0)
            {
                queued++;
                bytes += sent;
                metrics ??= subscription.Connection.Metrics;
            }
        }

        // Every connection reports to the node's one metrics instance (taken from one that was delivered to: a pending
        // handler audience has no connection yet): one update per fan-out, not per subscriber.
        metrics?.Delivered(queued, bytes);

        return subscribers.Length;
    }

    /// <summary>
    /// The subscriptions of one channel. Changes invalidate the array snapshot, which the next delivery rebuilds once,
    /// so a burst of subscribes costs O(1) each and fan-out iterates a plain array. Guarded by the owning lock.
    /// </summary>
    private sealed class SubscriberSet
    {
        private readonly HashSet<ChannelSubscription> _members = [];
        private volatile ChannelSubscription[]? _snapshot;

        public int Count => _members.Count;

        public ChannelSubscription[] Snapshot
        {
            get
            {
                var snapshot = _snapshot;
                if (snapshot is not null)
                {
                    return snapshot;
                }

                lock (_members)
                {
                    return _snapshot ??= [.. _members];
                }
            }
        }

        public void Add(ChannelSubscription subscription)
        {
            lock (_members)
            {
                _members.Add(subscription);
                _snapshot = null;
            }
        }

        public bool Remove(ChannelSubscription subscription)
        {
            lock (_members)
            {
                var removed = _members.Remove(subscription);
                _snapshot = null;
                return removed;
            }
        }
    }
}

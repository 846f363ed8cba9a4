using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// This node's subscribers per channel and per wildcard pattern. Exact channels are sharded by hash, each shard with
/// its own lock; delivery takes the shard lock only to look the channel up, then iterates an array snapshot of its subscribers.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
internal sealed class SubscriptionRegistry
{
    private const int ShardCount = 64;

    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();
    private readonly Lock _wildcardGate = new();
    private readonly Dictionary<string, SubscriberSet> _wildcards = new(StringComparer.Ordinal);
    private volatile KeyValuePair<ChannelPattern, SubscriberSet>[] _wildcardSnapshot = [];

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
                    _wildcardSnapshot = [.. _wildcardSnapshot, new(subscription.Channel, set)];
                }

                set!.Add(subscription);
                return first;
            }
        }

        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            var first = !shard.Channels.TryGetValue(key, out var set);
            if (first)
            {
                set = new SubscriberSet();
                shard.Channels.Add(key, set);
            }

            set!.Add(subscription);
            return first;
        }
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
                _wildcardSnapshot = _wildcardSnapshot.Where(p => p.Value != set).ToArray();
                return true;
            }
        }

        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            if (!shard.Channels.TryGetValue(key, out var set) || !set.Remove(subscription) || set.Count > 0)
            {
                return false;
            }

            shard.Channels.Remove(key);
            return true;
        }
    }

    /// <summary>Hands a publication to every local subscriber of its channel and of every matching pattern.</summary>
    public void Deliver(Publication publication)
    {
        var shard = ShardOf(publication.Channel);
        SubscriberSet? set;
        lock (shard.Gate)
        {
            shard.Channels.TryGetValue(publication.Channel, out set);
        }

        if (set is not null)
        {
            foreach (var subscription in set.Snapshot)
            {
                subscription.Deliver(publication);
            }
        }

        foreach (var (pattern, patternSet) in _wildcardSnapshot)
        {
            if (pattern.Matches(publication.Channel))
            {
                foreach (var subscription in patternSet.Snapshot)
                {
                    subscription.Deliver(publication);
                }
            }
        }
    }

    /// <summary>The local subscriptions to exactly this channel (not patterns).</summary>
    public ChannelSubscription[] GetSubscribers(string channel)
    {
        var shard = ShardOf(channel);
        lock (shard.Gate)
        {
            return shard.Channels.TryGetValue(channel, out var set) ? set.Snapshot : [];
        }
    }

    /// <summary>Every channel and pattern with local subscribers and how many, for stats.</summary>
    public List<KeyValuePair<string, int>> GetChannelCounts()
    {
        var counts = new List<KeyValuePair<string, int>>();
        foreach (var shard in _shards)
        {
            lock (shard.Gate)
            {
                counts.AddRange(shard.Channels.Select(c => new KeyValuePair<string, int>(c.Key, c.Value.Count)));
            }
        }

        lock (_wildcardGate)
        {
            counts.AddRange(_wildcards.Select(c => new KeyValuePair<string, int>(c.Key, c.Value.Count)));
        }

        return counts;
    }

    private Shard ShardOf(string channel) =>
        _shards[(uint)StringComparer.Ordinal.GetHashCode(channel) % ShardCount];

    private sealed class Shard
    {
        public Lock Gate { get; } = new();

        public Dictionary<string, SubscriberSet> Channels { get; } = new(StringComparer.Ordinal);
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

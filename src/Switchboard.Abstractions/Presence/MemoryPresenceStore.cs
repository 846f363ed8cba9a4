namespace Switchboard.Presence;

/// <summary>
/// The single-node presence store: entries in this process's memory, sharded by channel, each shard with its own lock.
/// Exact (linearizable) on one node; nothing to expire because the node removes every entry it added.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
public sealed class MemoryPresenceStore : IPresenceStore
{
    private const int ShardCount = 64;

    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();

    /// <inheritdoc />
    public ValueTask AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken)
    {
        var shard = ShardOf(channel);
        lock (shard.Gate)
        {
            if (!shard.Channels.TryGetValue(channel, out var clients))
            {
                clients = new Dictionary<string, PresenceEntry>(StringComparer.Ordinal);
                shard.Channels.Add(channel, clients);
            }

            clients[entry.Client] = entry;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string channel, string client, CancellationToken cancellationToken)
    {
        var shard = ShardOf(channel);
        lock (shard.Gate)
        {
            // An empty channel is dropped so that the store's memory follows the live subscriptions, not history.
            if (shard.Channels.TryGetValue(channel, out var clients) && clients.Remove(client) && clients.Count == 0)
            {
                shard.Channels.Remove(channel);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PresenceEntry>> GetAsync(string channel, CancellationToken cancellationToken)
    {
        var shard = ShardOf(channel);
        lock (shard.Gate)
        {
            IReadOnlyList<PresenceEntry> entries = shard.Channels.TryGetValue(channel, out var clients) ? [.. clients.Values] : [];
            return ValueTask.FromResult(entries);
        }
    }

    private Shard ShardOf(string channel) => _shards[(uint)StringComparer.Ordinal.GetHashCode(channel) % ShardCount];

    private sealed class Shard
    {
        public Lock Gate { get; } = new();

        public Dictionary<string, Dictionary<string, PresenceEntry>> Channels { get; } = new(StringComparer.Ordinal);
    }
}

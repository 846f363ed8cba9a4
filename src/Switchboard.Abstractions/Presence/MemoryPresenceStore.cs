using Switchboard.Internal;

namespace Switchboard.Presence;

/// <summary>
/// The single-node presence store: entries in this process's memory, sharded by channel, each shard with its own lock.
/// Exact (linearizable) on one node; nothing to expire because the node removes every entry it added.
/// </summary>
/// <remarks>Thread safety: all members are safe to call from many threads.</remarks>
public sealed class MemoryPresenceStore : IPresenceStore
{
    private readonly ShardedTable<string, Dictionary<string, PresenceEntry>> _channels = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken)
    {
        _channels.Change(channel, entry, static (clients, entry) =>
        {
            clients ??= new Dictionary<string, PresenceEntry>(StringComparer.Ordinal);
            clients[entry.Client] = entry;
            return (clients, 0);
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string channel, string client, CancellationToken cancellationToken)
    {
        // An empty channel is dropped so that the store's memory follows the live subscriptions, not history.
        _channels.Change(channel, client, static (clients, client) =>
            clients is not null && clients.Remove(client) && clients.Count == 0 ? (null, 0) : (clients, 0));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PresenceEntry>> GetAsync(string channel, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_channels.Read(channel, 0, static (clients, _) => clients is null ? [] : (IReadOnlyList<PresenceEntry>)[.. clients.Values]));
}

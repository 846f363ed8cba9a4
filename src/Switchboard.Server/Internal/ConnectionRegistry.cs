using System.Collections.Concurrent;
using Switchboard.Internal;

namespace Switchboard.Server.Internal;

/// <summary>The connections open on this node, by id and by user.</summary>
/// <remarks>
/// Thread safety: safe from many threads. By id: <see cref="ConcurrentDictionary{TKey,TValue}"/> already stripes its
/// write locks and reads without locking. By user: a <see cref="ShardedTable{TKey,TValue}"/> by user id, so addressing
/// one user touches one shard and never scans all connections. A connection's user is fixed while it is registered
/// (authentication happens before, and a refresh must keep the user), so it is indexed once, at <see cref="Add"/>.
/// </remarks>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, SwitchboardConnection> _connections = new(StringComparer.Ordinal);
    private readonly ShardedTable<string, HashSet<SwitchboardConnection>> _byUser = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(SwitchboardConnection connection)
    {
        _connections[connection.Id] = connection;
        if (connection.Identity.UserId is { } user)
        {
            _byUser.Change(user, connection, static (set, connection) =>
            {
                set ??= [];
                set.Add(connection);
                return (set, 0);
            });
        }
    }

    public void Remove(SwitchboardConnection connection)
    {
        _connections.TryRemove(new KeyValuePair<string, SwitchboardConnection>(connection.Id, connection));
        if (connection.Identity.UserId is { } user)
        {
            _byUser.Change(user, connection, static (set, connection) =>
                set is not null && set.Remove(connection) && set.Count == 0 ? (null, 0) : (set, 0));
        }
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SwitchboardConnection? connection) => _connections.TryGetValue(id, out connection);

    /// <summary>A moment's view of one user's connections on this node.</summary>
    public SwitchboardConnection[] GetByUser(string user) =>
        _byUser.Read(user, 0, static (set, _) => set is null ? [] : (SwitchboardConnection[])[.. set]);

    /// <summary>A moment's view of the connections; enumerating it never blocks registration.</summary>
    public IEnumerable<SwitchboardConnection> All => _connections.Select(static pair => pair.Value);
}

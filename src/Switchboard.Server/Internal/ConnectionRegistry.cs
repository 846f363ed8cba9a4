using System.Collections.Concurrent;

namespace Switchboard.Server.Internal;

/// <summary>The connections open on this node, by id and by user.</summary>
/// <remarks>
/// Thread safety: safe from many threads. By id: <see cref="ConcurrentDictionary{TKey,TValue}"/> already stripes its
/// write locks and reads without locking. By user: sharded by hash of the user id, each shard with its own lock, so
/// addressing one user touches one shard and never scans all connections.
/// </remarks>
internal sealed class ConnectionRegistry
{
    private const int UserShardCount = 64;

    private readonly ConcurrentDictionary<string, SwitchboardConnection> _connections = new(StringComparer.Ordinal);

    // The user each connection is indexed under, so that a changed identity (auth after connect) can be moved.
    private readonly ConcurrentDictionary<SwitchboardConnection, string> _indexedUser = new();
    private readonly UserShard[] _userShards = Enumerable.Range(0, UserShardCount).Select(_ => new UserShard()).ToArray();

    public int Count => _connections.Count;

    public void Add(SwitchboardConnection connection)
    {
        _connections[connection.Id] = connection;
        UpdateUser(connection);
    }

    public void Remove(SwitchboardConnection connection)
    {
        _connections.TryRemove(new KeyValuePair<string, SwitchboardConnection>(connection.Id, connection));
        if (_indexedUser.TryRemove(connection, out var user))
        {
            RemoveFromUser(user, connection);
        }
    }

    /// <summary>
    /// Re-indexes a connection under its current <see cref="SwitchboardConnection.Identity"/>'s user. Call after the
    /// identity of a registered connection changes (authentication after connect, a refresh with another user).
    /// </summary>
    public void UpdateUser(SwitchboardConnection connection)
    {
        var user = connection.Identity.UserId;
        var previous = _indexedUser.TryGetValue(connection, out var p) ? p : null;
        if (previous == user)
        {
            return;
        }

        if (previous is not null)
        {
            RemoveFromUser(previous, connection);
            _indexedUser.TryRemove(connection, out _);
        }

        if (user is not null && _connections.ContainsKey(connection.Id))
        {
            var shard = ShardOf(user);
            lock (shard.Gate)
            {
                if (!shard.Users.TryGetValue(user, out var set))
                {
                    set = [];
                    shard.Users.Add(user, set);
                }

                set.Add(connection);
            }

            _indexedUser[connection] = user;
        }
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SwitchboardConnection? connection) => _connections.TryGetValue(id, out connection);

    /// <summary>A moment's view of one user's connections on this node.</summary>
    public SwitchboardConnection[] GetByUser(string user)
    {
        var shard = ShardOf(user);
        lock (shard.Gate)
        {
            return shard.Users.TryGetValue(user, out var set) ? [.. set] : [];
        }
    }

    /// <summary>A moment's view of the connections; enumerating it never blocks registration.</summary>
    public IEnumerable<SwitchboardConnection> All => _connections.Select(static pair => pair.Value);

    private void RemoveFromUser(string user, SwitchboardConnection connection)
    {
        var shard = ShardOf(user);
        lock (shard.Gate)
        {
            if (shard.Users.TryGetValue(user, out var set) && set.Remove(connection) && set.Count == 0)
            {
                shard.Users.Remove(user);
            }
        }
    }

    private UserShard ShardOf(string user) => _userShards[(uint)StringComparer.Ordinal.GetHashCode(user) % UserShardCount];

    private sealed class UserShard
    {
        public Lock Gate { get; } = new();

        public Dictionary<string, HashSet<SwitchboardConnection>> Users { get; } = new(StringComparer.Ordinal);
    }
}

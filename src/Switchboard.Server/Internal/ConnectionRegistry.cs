using System.Collections.Concurrent;

namespace Switchboard.Server.Internal;

/// <summary>The connections open on this node, by id.</summary>
/// <remarks>
/// Thread safety: safe from many threads. <see cref="ConcurrentDictionary{TKey,TValue}"/> already stripes its write
/// locks and reads without locking, which is the sharding this registry needs.
/// </remarks>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, SwitchboardConnection> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(SwitchboardConnection connection) => _connections[connection.Id] = connection;

    public void Remove(SwitchboardConnection connection) => _connections.TryRemove(new KeyValuePair<string, SwitchboardConnection>(connection.Id, connection));

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SwitchboardConnection? connection) => _connections.TryGetValue(id, out connection);

    /// <summary>A moment's view of the connections; enumerating it never blocks registration.</summary>
    public IEnumerable<SwitchboardConnection> All => _connections.Select(static pair => pair.Value);
}

namespace Switchboard.Presence;

/// <summary>
/// Who is subscribed to which channel, for the <c>presence</c> command and the server API. The node adds an entry when
/// a connection subscribes to a concrete channel and removes it when the subscription ends (unsubscribe, close, a dropped
/// connection, a heartbeat timeout). Wildcard subscriptions have no presence.
/// </summary>
/// <remarks>
/// Guarantees every implementation gives:
/// <list type="bullet">
/// <item><see cref="AddAsync"/> is idempotent: adding a client already present replaces its entry.</item>
/// <item><see cref="RemoveAsync"/> of an entry that is not there does nothing.</item>
/// <item>On one node, an entry whose <see cref="AddAsync"/> has completed and whose <see cref="RemoveAsync"/> has not
/// started is in every later <see cref="GetAsync"/> (read-your-writes).</item>
/// <item>Across nodes a store is eventually consistent: an entry may show up on other nodes a little later. A store
/// shared by several nodes must also forget the entries of a node that died without removing them, within a bounded
/// time it documents (e.g. entries with a time to live that live nodes refresh).</item>
/// </list>
/// The store holds state only; join and leave events are sent by the node, which owns the connections.
/// Thread safety: every member may be called from many threads at once.
/// </remarks>
public interface IPresenceStore
{
    /// <summary>Records that <paramref name="entry"/>'s client is subscribed to <paramref name="channel"/>.</summary>
    ValueTask AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="client"/> is no longer subscribed to <paramref name="channel"/>.</summary>
    ValueTask RemoveAsync(string channel, string client, CancellationToken cancellationToken);

    /// <summary>Every client subscribed to <paramref name="channel"/>, in no particular order.</summary>
    ValueTask<IReadOnlyList<PresenceEntry>> GetAsync(string channel, CancellationToken cancellationToken);

    /// <summary>
    /// Removes from <paramref name="channel"/> the entries added by the node the cluster bus names
    /// <paramref name="node"/> (<see cref="Cluster.IClusterBus.NodeId"/>), after the bus reported it lost, and returns
    /// them, so that the caller can tell its watchers they left. Every node that watches the channel calls this for the
    /// same lost node, and each must get the entries (a store may stop listing them at once and delete them later). A
    /// store shared by nodes tags its entries with the bus's node id to do this; a single-node store has no other
    /// nodes and removes nothing (the default).
    /// </summary>
    ValueTask<IReadOnlyList<PresenceEntry>> RemoveNodeAsync(string channel, string node, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PresenceEntry>>([]);
}

/// <summary>One client subscribed to a channel.</summary>
/// <param name="Client">The connection id.</param>
/// <param name="User">The user id, or <see langword="null"/> when anonymous.</param>
/// <param name="Info">The raw JSON object from the token's <c>info</c> claim; empty for none (shown as <c>{}</c>).</param>
public sealed record PresenceEntry(string Client, string? User, ReadOnlyMemory<byte> Info);

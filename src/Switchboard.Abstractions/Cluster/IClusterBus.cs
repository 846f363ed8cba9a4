namespace Switchboard.Cluster;

/// <summary>
/// The control bus between the nodes of a Switchboard cluster: small messages (presence events, sends to users,
/// disconnects, stats surveys) from one node to the others, and which other nodes are alive. Channel publications do
/// not travel here; they go through the <see cref="Brokers.IBroker"/>.
/// </summary>
/// <remarks>
/// Guarantees every implementation gives:
/// <list type="bullet">
/// <item>At most once: a message reaches each live node once or not at all (a node whose link is down misses it).
/// Nothing is stored or retried; callers that need more (stats) wait with a timeout.</item>
/// <item>Messages from one node arrive at each other node in the order that node sent them.</item>
/// <item>A node never receives its own messages.</item>
/// <item><see cref="Send"/> never waits for the network: it queues, and the implementation writes in batches.</item>
/// </list>
/// The in-memory <see cref="MemoryClusterBus"/> (one node, no others) is the default, so a single node runs the same
/// code as a cluster.
/// Thread safety: every member may be called from many threads at once.
/// </remarks>
public interface IClusterBus
{
    /// <summary>This node's id on the bus, unique per process (other nodes name it so in <see cref="IClusterBusHandler"/> calls).</summary>
    string NodeId { get; }

    /// <summary>The other nodes heard from recently (alive as far as this node knows), by <see cref="NodeId"/>.</summary>
    IReadOnlyCollection<string> OtherNodes { get; }

    /// <summary>Starts receiving; <paramref name="handler"/> gets the messages of other nodes. Called once, before <see cref="Send"/>.</summary>
    ValueTask StartAsync(IClusterBusHandler handler, CancellationToken cancellationToken);

    /// <summary>
    /// Says goodbye to the other nodes (so they do not wait for a timeout to forget this one) and stops receiving.
    /// Called when the node stops, after its connections were drained.
    /// </summary>
    ValueTask StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues <paramref name="message"/> for every other node (<paramref name="toNode"/> <see langword="null"/>) or one
    /// of them. The bytes must not change afterwards.
    /// </summary>
    void Send(ReadOnlyMemory<byte> message, string? toNode = null);
}

/// <summary>Receives what the <see cref="IClusterBus"/> brings from other nodes.</summary>
/// <remarks>Called from the bus's own receive loop, one message at a time per sending node: handlers must not block.</remarks>
public interface IClusterBusHandler
{
    /// <summary>Handles a message <paramref name="fromNode"/> sent.</summary>
    void HandleMessage(string fromNode, ReadOnlyMemory<byte> message);

    /// <summary>
    /// Says that <paramref name="node"/> has not been heard from for the bus's node timeout (killed, crashed or cut
    /// off), so what it held (its presence entries) is gone. Not called for a node that stopped on purpose and said so.
    /// </summary>
    void HandleNodeLost(string node)
    {
    }
}

/// <summary>
/// The bus of a single node: there are no other nodes, so nothing is sent and nothing arrives. The default when no
/// cluster bus is registered.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class MemoryClusterBus : IClusterBus
{
    /// <inheritdoc />
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <inheritdoc />
    public IReadOnlyCollection<string> OtherNodes => [];

    /// <inheritdoc />
    public ValueTask StartAsync(IClusterBusHandler handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Send(ReadOnlyMemory<byte> message, string? toNode = null)
    {
    }
}

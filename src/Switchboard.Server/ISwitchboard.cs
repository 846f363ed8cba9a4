using System.Text.Json;
using Switchboard.Brokers;
using Switchboard.Presence;

namespace Switchboard.Server;

/// <summary>
/// The server side of Switchboard for application code, injected from DI: publish to channels, send to users and
/// connections, disconnect them, and read presence, history and stats. The HTTP API is built on it.
/// </summary>
/// <remarks>
/// Channel publications go through the broker, so they reach subscribers on every node, get offsets and land in
/// history, exactly as a client's <c>publish</c> (without <c>from</c>). Sends and disconnects act on the connections
/// of this node at once and are passed to the other nodes of a cluster over the control bus
/// (<see cref="Switchboard.Cluster.IClusterBus"/>; at most once, a few milliseconds later); their return values count
/// this node only. Invalid channel names, data that is not one JSON value in valid UTF-8, and keys starting with
/// <c>nats:</c> (the NATS bridge's) throw <see cref="ArgumentException"/>; data larger than a subscriber can receive
/// (<see cref="SwitchboardOptions.MaxPublicationSize"/>) throws <see cref="PublicationTooLargeException"/>; in each case
/// nothing is stored or sent. A broker that is down throws <see cref="BrokerUnavailableException"/>.
/// Thread safety: every member may be called from many threads at once.
/// </remarks>
public interface ISwitchboard
{
    /// <summary>Publishes <paramref name="data"/> (one UTF-8 JSON value) to a concrete channel.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="data">The UTF-8 JSON value, sent to subscribers as <c>data</c>.</param>
    /// <param name="idempotencyKey">A key (at most 64 characters, not starting with <c>nats:</c>): a repeat within the idempotency window publishes nothing and returns the first position. Application keys have a scope of their own: they never match a client's keys or the NATS bridge's.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    ValueTask<PublishResult> PublishAsync(string channel, ReadOnlyMemory<byte> data, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes a JSON value to a concrete channel; see <see cref="PublishAsync(string, ReadOnlyMemory{byte}, string?, CancellationToken)"/>.</summary>
    ValueTask<PublishResult> PublishAsync(string channel, JsonElement data, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <c>{"type":"message","channel":...,"data":...,"ts":...}</c> to every connection of a user on every node,
    /// whether or not they subscribed to <paramref name="channel"/>. Outside any stream: no offset, no history, no
    /// recovery (at most once). Returns how many connections of this node it was queued for.
    /// </summary>
    int SendToUser(string userId, string channel, ReadOnlyMemory<byte> data);

    /// <summary>As <see cref="SendToUser"/>, to one connection on any node. Returns whether the connection is on this node and took it (otherwise it is passed to the other nodes).</summary>
    bool SendToConnection(string clientId, string channel, ReadOnlyMemory<byte> data);

    /// <summary>Closes every connection of a user on every node with 4005 (the client SDK does not reconnect). Returns how many on this node.</summary>
    int DisconnectUser(string userId, string? reason = null);

    /// <summary>Closes one connection, on any node, with 4005. Returns whether it was on this node (otherwise it is passed to the other nodes).</summary>
    bool DisconnectConnection(string clientId, string? reason = null);

    /// <summary>Every client subscribed to a concrete channel.</summary>
    ValueTask<IReadOnlyList<PresenceEntry>> GetPresenceAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>A channel's position and retained publications (oldest first), as the <c>history</c> command reads them.</summary>
    ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query = default, CancellationToken cancellationToken = default);

    /// <summary>The channels with subscribers on this node and how many each has (wildcard patterns included as written).</summary>
    IReadOnlyList<ChannelStats> GetChannels();

    /// <summary>This node's counters.</summary>
    NodeStats GetNodeStats();

    /// <summary>
    /// The counters of every node of the cluster: this node's, and those of the other nodes that answer a survey over
    /// the control bus within 2 seconds (the rest are named in <see cref="ClusterStats.Unanswered"/>). One node
    /// alone answers at once.
    /// </summary>
    Task<ClusterStats> GetClusterStatsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ClusterStats([GetNodeStats()], []));
}

/// <summary>The counters of the nodes of a cluster at one moment.</summary>
/// <param name="Nodes">Each node that answered, this one first.</param>
/// <param name="Unanswered">The control bus ids of nodes known to be alive that did not answer in time.</param>
public sealed record ClusterStats(IReadOnlyList<NodeStats> Nodes, IReadOnlyList<string> Unanswered)
{
    /// <summary>Open connections over all nodes that answered.</summary>
    public long Connections => Nodes.Sum(static n => (long)n.Connections);

    /// <summary>Subscriptions over all nodes that answered.</summary>
    public long Subscriptions => Nodes.Sum(static n => n.Subscriptions);

    /// <summary>Channels with subscribers summed over the nodes (a channel with subscribers on two nodes counts twice).</summary>
    public long NodeChannels => Nodes.Sum(static n => (long)n.Channels);
}

/// <summary>A channel (or wildcard pattern) with subscribers on this node.</summary>
/// <param name="Channel">The channel or pattern.</param>
/// <param name="Subscribers">How many local subscriptions it has.</param>
public readonly record struct ChannelStats(string Channel, int Subscribers);

/// <summary>A node's counters at one moment.</summary>
/// <param name="Node">The node id.</param>
/// <param name="Connections">Open connections.</param>
/// <param name="Channels">Channels and patterns with at least one local subscriber.</param>
/// <param name="Subscriptions">Local subscriptions over all channels.</param>
/// <param name="UptimeSeconds">Seconds since the node started.</param>
/// <param name="Draining">Whether the node is shutting down.</param>
public readonly record struct NodeStats(string Node, int Connections, int Channels, long Subscriptions, long UptimeSeconds, bool Draining);

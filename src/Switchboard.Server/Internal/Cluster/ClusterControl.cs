using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Cluster;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal.Cluster;

/// <summary>
/// This node's end of the control bus: sends the server operations that address the whole cluster (sends to users
/// and connections, disconnects, stats surveys, presence events) and carries out those of other nodes on the
/// connections of this one.
/// </summary>
/// <remarks>
/// Everything here is at most once, as the bus is: a node that misses a send or a disconnect does not get it later.
/// Stats are a survey (Centrifuge's <c>SurveyCaller</c>): one request to every node, each answers to the asking node,
/// which waits for the nodes it knows to be alive or for <see cref="SurveyTimeout"/>, whichever comes first.
/// Thread safety: safe from many threads; the bus calls the handler one message at a time per sending node.
/// </remarks>
internal sealed class ClusterControl : IClusterBusHandler
{
    /// <summary>How long a stats survey waits for the other nodes' answers.</summary>
    public static readonly TimeSpan SurveyTimeout = TimeSpan.FromSeconds(2);

    private readonly SwitchboardNode _node;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Survey> _surveys = new(StringComparer.Ordinal);

    public ClusterControl(SwitchboardNode node, ILogger<ClusterControl> logger)
    {
        _node = node;
        _logger = logger;
    }

    public IClusterBus Bus => _node.Bus;

    public ValueTask StartAsync(CancellationToken cancellationToken) => Bus.StartAsync(this, cancellationToken);

    /// <summary>Asks the other nodes to carry out <paramref name="type"/> for <paramref name="key"/> on their connections.</summary>
    public void Broadcast(string type, string key, ReadOnlyMemory<byte> payload = default, string? reason = null) =>
        Bus.Send(ControlMessage.Encode(type, key, payload, reason));

    /// <summary>This node's stats and those of every other node that answers within <see cref="SurveyTimeout"/>.</summary>
    public async Task<ClusterStats> SurveyStatsAsync(NodeStats own, CancellationToken cancellationToken)
    {
        var expected = Bus.OtherNodes;
        if (expected.Count == 0)
        {
            return new ClusterStats([own], []);
        }

        var id = Guid.NewGuid().ToString("N");
        var survey = new Survey(expected);
        _surveys[id] = survey;
        try
        {
            Bus.Send(ControlMessage.Encode(ControlMessage.StatsRequest, id));
            await survey.Done.Task.WaitAsync(SurveyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Answer with what came: the missing nodes are named.
        }
        finally
        {
            _surveys.TryRemove(id, out _);
        }

        var (replies, waiting) = survey.Result();
        if (waiting.Length > 0)
        {
            ClusterLog.SurveyUnanswered(_logger, waiting.Length, string.Join(", ", waiting));
        }

        return new ClusterStats([own, .. replies], waiting);
    }

    public void HandleMessage(string fromNode, ReadOnlyMemory<byte> message)
    {
        ControlMessage control;
        try
        {
            control = ControlMessage.Decode(message);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            ClusterLog.UndecodableMessage(_logger, fromNode, ex);
            return;
        }

        switch (control.Type)
        {
            case ControlMessage.Presence:
                _node.Presence.NotifyRemote(control.Key, control.Payload);
                break;
            case ControlMessage.SendToUser:
                foreach (var connection in _node.Connections.GetByUser(control.Key))
                {
                    connection.Send(control.Payload);
                }

                break;
            case ControlMessage.SendToClient:
                if (_node.Connections.TryGet(control.Key, out var client))
                {
                    client.Send(control.Payload);
                }

                break;
            case ControlMessage.DisconnectUser:
                foreach (var connection in _node.Connections.GetByUser(control.Key))
                {
                    connection.Close(CloseCodes.Kicked, control.Reason ?? string.Empty, discardQueued: false);
                }

                break;
            case ControlMessage.DisconnectClient:
                if (_node.Connections.TryGet(control.Key, out var kicked))
                {
                    kicked.Close(CloseCodes.Kicked, control.Reason ?? string.Empty, discardQueued: false);
                }

                break;
            case ControlMessage.StatsRequest:
                var stats = ControlMessage.Encode(ControlMessage.StatsReply, control.Key, stats: SwitchboardServer.NodeStatsOf(_node));
                Bus.Send(stats, toNode: fromNode);
                break;
            case ControlMessage.StatsReply:
                if (_surveys.TryGetValue(control.Key, out var survey))
                {
                    survey.Answer(fromNode, control.Stats);
                }

                break;
        }
    }

    public void HandleNodeLost(string node) => _ = ForgetNodeAsync(node);

    private async Task ForgetNodeAsync(string node)
    {
        try
        {
            var count = await _node.Presence.ForgetNodeAsync(node).ConfigureAwait(false);
            ClusterLog.NodeLost(_logger, node, count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ClusterLog.NodeCleanupFailed(_logger, node, ex);
        }
    }

    /// <summary>One stats survey in flight: the answers so far and the nodes still awaited.</summary>
    private sealed class Survey(IReadOnlyCollection<string> expected)
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _waiting = [.. expected];
        private readonly Dictionary<string, NodeStats> _replies = new(StringComparer.Ordinal);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer(string node, NodeStats stats)
        {
            lock (_gate)
            {
                // A node that joined after the survey started may answer too; each node counts once.
                _replies[node] = stats;
                if (_waiting.Remove(node) && _waiting.Count == 0)
                {
                    Done.TrySetResult();
                }
            }
        }

        public (NodeStats[] Replies, string[] Waiting) Result()
        {
            lock (_gate)
            {
                return ([.. _replies.Values], [.. _waiting]);
            }
        }
    }
}

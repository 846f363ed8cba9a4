using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Brokers;
using Switchboard.Presence;
using Switchboard.Protocol;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.Internal.Cluster;

namespace Switchboard.Server.Internal;

/// <summary>The <see cref="ISwitchboard"/> of this node.</summary>
/// <remarks>Thread safety: stateless apart from the node; safe from many threads.</remarks>
internal sealed class SwitchboardServer : ISwitchboard
{
    private readonly SwitchboardNode _node;
    private readonly ClusterControl _cluster;
    private readonly ILogger<SwitchboardServer> _logger;

    public SwitchboardServer(SwitchboardNode node, ClusterControl cluster, ILogger<SwitchboardServer> logger)
    {
        _node = node;
        _cluster = cluster;
        _logger = logger;
    }

    public ValueTask<PublishResult> PublishAsync(string channel, ReadOnlyMemory<byte> data, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (idempotencyKey is not null && PublishKey.Validate(idempotencyKey) is { } keyError)
        {
            throw new ArgumentException(keyError, nameof(idempotencyKey));
        }

        return PublishScopedAsync(channel, data, IdempotencyScope.OfServer(idempotencyKey), cancellationToken);
    }

    /// <summary>The largest data a publication may carry (<see cref="SwitchboardOptions.MaxPublicationSize"/>).</summary>
    internal int MaxPublicationSize => _node.Gate.MaxSize;

    /// <summary>
    /// Publishes for a bridge (the NATS bridge): as <see cref="PublishAsync(string, ReadOnlyMemory{byte}, string?, CancellationToken)"/>,
    /// with the bridge's own key (its reserved prefix included, e.g. <c>nats:</c>) stored in the bridges' scope, apart
    /// from every client's and application's key.
    /// </summary>
    internal ValueTask<PublishResult> PublishFromBridgeAsync(string channel, ReadOnlyMemory<byte> data, string? bridgeKey, CancellationToken cancellationToken) =>
        PublishScopedAsync(channel, data, IdempotencyScope.OfBridge(bridgeKey), cancellationToken);

    private ValueTask<PublishResult> PublishScopedAsync(string channel, ReadOnlyMemory<byte> data, string? storedKey, CancellationToken cancellationToken)
    {
        RequireChannel(channel);
        _node.Gate.RequireValid(data.Span);
        var request = new PublishRequest(channel, data, From: null, storedKey, _node.HistoryFor(channel), _node.Options.IdempotencyWindow);
        return _node.PublishAsync(request, cancellationToken);
    }

    public ValueTask<PublishResult> PublishAsync(string channel, JsonElement data, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        PublishAsync(channel, JsonSerializer.SerializeToUtf8Bytes(data, SwitchboardJsonContext.Default.JsonElement), idempotencyKey, cancellationToken);

    public int SendToUser(string userId, string channel, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var encoded = EncodeDirect(channel, data);
        _cluster.Broadcast(ControlMessage.SendToUser, userId, encoded);
        var connections = _node.Connections.GetByUser(userId);
        var sent = 0;
        foreach (var connection in connections)
        {
            if (connection.Send(encoded))
            {
                sent++;
            }
        }

        return sent;
    }

    public bool SendToConnection(string clientId, string channel, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        var encoded = EncodeDirect(channel, data);
        if (_node.Connections.TryGet(clientId, out var connection))
        {
            return connection.Send(encoded);
        }

        _cluster.Broadcast(ControlMessage.SendToClient, clientId, encoded);
        return false;
    }

    public int DisconnectUser(string userId, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        reason ??= "disconnected by the server";
        _cluster.Broadcast(ControlMessage.DisconnectUser, userId, reason: reason);
        var connections = _node.Connections.GetByUser(userId);
        foreach (var connection in connections)
        {
            connection.Close(CloseCodes.Kicked, reason, discardQueued: false);
        }

        DeliveryLog.Disconnected(_logger, connections.Length, "user");
        return connections.Length;
    }

    public bool DisconnectConnection(string clientId, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        reason ??= "disconnected by the server";
        if (!_node.Connections.TryGet(clientId, out var connection))
        {
            _cluster.Broadcast(ControlMessage.DisconnectClient, clientId, reason: reason);
            return false;
        }

        connection.Close(CloseCodes.Kicked, reason, discardQueued: false);
        DeliveryLog.Disconnected(_logger, 1, "connection");
        return true;
    }

    public ValueTask<IReadOnlyList<PresenceEntry>> GetPresenceAsync(string channel, CancellationToken cancellationToken = default)
    {
        RequireChannel(channel);
        return _node.Presence.Store.GetAsync(channel, cancellationToken);
    }

    public ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query = default, CancellationToken cancellationToken = default)
    {
        RequireChannel(channel);
        return _node.Broker.GetHistoryAsync(channel, query, cancellationToken);
    }

    public IReadOnlyList<ChannelStats> GetChannels() =>
        [.. _node.Subscriptions.GetChannelCounts().Select(static c => new ChannelStats(c.Key, c.Value)).OrderBy(static c => c.Channel, StringComparer.Ordinal)];

    public NodeStats GetNodeStats() => NodeStatsOf(_node);

    public Task<ClusterStats> GetClusterStatsAsync(CancellationToken cancellationToken = default) =>
        _cluster.SurveyStatsAsync(GetNodeStats(), cancellationToken);

    internal static NodeStats NodeStatsOf(SwitchboardNode node)
    {
        var channels = node.Subscriptions.GetChannelCounts();
        return new NodeStats(
            node.Options.NodeId,
            node.Connections.Count,
            channels.Count,
            channels.Sum(static c => (long)c.Value),
            (long)(node.Time.GetUtcNow() - node.StartedAt).TotalSeconds,
            node.IsDraining);
    }

    private ReadOnlyMemory<byte> EncodeDirect(string channel, ReadOnlyMemory<byte> data)
    {
        RequireChannel(channel);
        _node.Gate.RequireValid(data.Span);

        // Encoded once for all of the user's connections.
        var buffer = new ArrayBufferWriter<byte>(data.Length + 96 + channel.Length);
        using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("channel", channel);
        w.WritePropertyName("data");
        w.WriteRawValue(data.Span, skipInputValidation: true);
        w.WriteNumber("ts", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        w.WriteEndObject();
        w.Flush();
        return buffer.WrittenMemory;
    }

    private static void RequireChannel(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (ChannelName.Validate(channel, allowWildcards: false) is { } error)
        {
            throw new ArgumentException(error, nameof(channel));
        }

        if (HandlerChannels.IsReserved(channel))
        {
            throw new ArgumentException($"channels starting with '{HandlerChannels.Prefix}' are reserved for custom handlers", nameof(channel));
        }
    }
}

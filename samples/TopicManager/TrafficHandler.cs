using System.Collections.Concurrent;
using Switchboard.Server.Handlers;

namespace TopicManager;

/// <summary>
/// <c>ws /api/ws/traffic</c>: each client gets the node's <see cref="TrafficReport"/> once a second (and the latest one
/// on connect, so a monitor shows something at once). Clients only listen; a message from them gets
/// <c>{"type":"error","message":"Unknown message type"}</c>.
/// </summary>
/// <remarks>
/// The report is this node's traffic, so it goes to this node's listeners only, not through the broker (with Redis,
/// every node's reports would reach every monitor, interleaved). Thread safety: every member may be called from many
/// threads at once.
/// </remarks>
public sealed class TrafficHandler : SwitchboardHandler
{
    private readonly ConcurrentDictionary<string, HandlerConnection> _listeners = new(StringComparer.Ordinal);
    private byte[]? _latest;

    /// <inheritdoc />
    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _listeners[connection.Id] = connection;
        if (Volatile.Read(ref _latest) is { } latest)
        {
            connection.Send(latest);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _listeners.TryRemove(connection.Id, out _);
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends one encoded report, the same bytes, to every listener of this node.</summary>
    public void Broadcast(byte[] report)
    {
        Volatile.Write(ref _latest, report);
        foreach (var (_, listener) in _listeners)
        {
            listener.Send(report);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Server.Handlers;

namespace HomeHub;

/// <summary>
/// Home Assistant's event subscriptions: each <c>subscribe_events</c> has the id of its request, and every event it
/// receives carries that id. So one event is encoded once and each subscription gets the same bytes wrapped in its
/// own <c>{"id":N,"type":"event","event":...}</c>. The home lives in this process, so its events do too.
/// Thread safety: every member may be called from many threads at once.
/// </summary>
public sealed class EventBus
{
    private readonly ConcurrentDictionary<HandlerConnection, ConcurrentDictionary<long, string?>> _subscriptions = new();

    /// <summary>Subscribes <paramref name="connection"/> to <paramref name="eventType"/> (every event when null) under <paramref name="id"/>.</summary>
    public void Subscribe(HandlerConnection connection, long id, string? eventType) =>
        _subscriptions.GetOrAdd(connection, static _ => new())[id] = eventType;

    /// <summary>Ends a subscription; false when the connection has none with that id.</summary>
    public bool Unsubscribe(HandlerConnection connection, long id) =>
        _subscriptions.TryGetValue(connection, out var own) && own.TryRemove(id, out _);

    /// <summary>Forgets a connection that ended.</summary>
    public void Remove(HandlerConnection connection) => _subscriptions.TryRemove(connection, out _);

    /// <summary>Sends <paramref name="haEvent"/> to every subscription for its type or for all events.</summary>
    public void Fire(HaEvent haEvent)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(haEvent, HaJsonContext.Default.HaEvent);
        foreach (var (connection, own) in _subscriptions)
        {
            foreach (var (id, eventType) in own)
            {
                if (eventType is null || eventType == haEvent.EventType)
                {
                    connection.Send(Wrap(id, body));
                }
            }
        }
    }

    private static byte[] Wrap(long id, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes("{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"type\":\"event\",\"event\":");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        message[^1] = (byte)'}';
        return message;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Server.Handlers;

namespace HomeHub;

/// <summary>
/// A connection's subscriptions, by the id of the command that made each: <c>subscribe_events</c> (all events or one
/// type) and <c>subscribe_entities</c> (compressed states, of all entities or some). Every event a subscription
/// receives carries its id, so one event is encoded once and each subscription gets the same bytes wrapped in its own
/// <c>{"id":N,"type":"event","event":...}</c>. As in Home Assistant, <c>unsubscribe_events</c> ends either kind. The
/// home lives in this process, so its events do too.
/// Thread safety: every member may be called from many threads at once.
/// </summary>
public sealed class EventBus
{
    private readonly ConcurrentDictionary<HandlerConnection, ConcurrentDictionary<long, Subscription>> _subscriptions = new();

    /// <summary>Subscribes <paramref name="connection"/> to <paramref name="eventType"/> (every event when null) under <paramref name="id"/>.</summary>
    public void SubscribeEvents(HandlerConnection connection, long id, string? eventType) =>
        Own(connection)[id] = new Subscription(Entities: false, eventType, null);

    /// <summary>Subscribes <paramref name="connection"/> to the compressed states of <paramref name="entityIds"/> (every entity when null) under <paramref name="id"/>.</summary>
    public void SubscribeEntities(HandlerConnection connection, long id, IReadOnlySet<string>? entityIds) =>
        Own(connection)[id] = new Subscription(Entities: true, null, entityIds);

    /// <summary>Ends a subscription of either kind; false when the connection has none with that id.</summary>
    public bool Unsubscribe(HandlerConnection connection, long id) =>
        _subscriptions.TryGetValue(connection, out var own) && own.TryRemove(id, out _);

    /// <summary>Forgets a connection that ended.</summary>
    public void Remove(HandlerConnection connection) => _subscriptions.TryRemove(connection, out _);

    /// <summary>Sends <paramref name="haEvent"/> to every event subscription for its type or for all events.</summary>
    public void Fire(HaEvent haEvent) => Deliver(haEvent, null);

    /// <summary>
    /// Sends a <c>state_changed</c> event: in full to the event subscriptions, as a compressed difference to the entity
    /// subscriptions of that entity. Each form is encoded once, and only when someone receives it.
    /// </summary>
    public void StateChanged(StateChangedData change, HaContext context) =>
        Deliver(new HaEvent("state_changed", JsonSerializer.SerializeToElement(change, HaJsonContext.Default.StateChangedData), "LOCAL", HaTime.Now(), context), change);

    private void Deliver(HaEvent haEvent, StateChangedData? change)
    {
        byte[]? full = null;
        byte[]? diff = null;
        foreach (var (connection, own) in _subscriptions)
        {
            foreach (var (id, subscription) in own)
            {
                if (!subscription.Entities && (subscription.EventType is null || subscription.EventType == haEvent.EventType))
                {
                    connection.Send(Wrap(id, full ??= JsonSerializer.SerializeToUtf8Bytes(haEvent, HaJsonContext.Default.HaEvent)));
                }
                else if (subscription.Entities && change is not null && (subscription.EntityIds is null || subscription.EntityIds.Contains(change.EntityId)))
                {
                    connection.Send(Wrap(id, diff ??= CompressedStates.Diff(change)));
                }
            }
        }
    }

    private ConcurrentDictionary<long, Subscription> Own(HandlerConnection connection) =>
        _subscriptions.GetOrAdd(connection, static _ => new());

    /// <summary><c>{"id":N,"type":"event","event":BODY}</c> around an event encoded once.</summary>
    public static byte[] Wrap(long id, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes("{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"type\":\"event\",\"event\":");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        message[^1] = (byte)'}';
        return message;
    }

    private sealed record Subscription(bool Entities, string? EventType, IReadOnlySet<string>? EntityIds);
}

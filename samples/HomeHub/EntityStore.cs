using System.Text.Json;
using Switchboard.Server.Handlers;

namespace HomeHub;

/// <summary>
/// The home's entities, in memory, and the services that change them (<c>light</c>, <c>switch</c> and the generic
/// <c>homeassistant</c> domain: <c>turn_on</c>, <c>turn_off</c>, <c>toggle</c>; lights take <c>brightness</c>).
/// Every change is announced on the <see cref="EventBus"/> as <c>state_changed</c>.
/// Thread safety: every member may be called from many threads at once. Changes, their announcements and the first
/// states of a new <c>subscribe_entities</c> happen under one lock, so each subscriber sees an entity's changes in the
/// order they were made, and none is missed or comes before the states it changes (sending only enqueues).
/// </summary>
public sealed class EntityStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, EntityState> _entities = new(StringComparer.Ordinal);
    private readonly EventBus _events;

    /// <summary>A store with the sample home's entities, all last changed now, announcing its changes on <paramref name="events"/>.</summary>
    public EntityStore(EventBus events)
    {
        _events = events;
        var now = HaTime.Now();
        Add("light.kitchen", "off", now, ("friendly_name", "Kitchen"), ("brightness", 0));
        Add("light.living_room", "on", now, ("friendly_name", "Living room"), ("brightness", 180));
        Add("switch.coffee_maker", "off", now, ("friendly_name", "Coffee maker"));
        Add("sensor.living_room_temperature", "21.5", now, ("friendly_name", "Living room temperature"), ("unit_of_measurement", "°C"), ("device_class", "temperature"));
        Add("binary_sensor.front_door", "off", now, ("friendly_name", "Front door"), ("device_class", "door"));
    }

    /// <summary>Every entity's current state.</summary>
    public List<EntityState> States()
    {
        lock (_lock)
        {
            return [.. _entities.Values];
        }
    }

    /// <summary>
    /// Subscribes <paramref name="connection"/> to the compressed states of <paramref name="entityIds"/> (all when null)
    /// and hands <paramref name="sendFirst"/> their current states, with no change in between.
    /// </summary>
    public void SubscribeEntities(HandlerConnection connection, long id, IReadOnlySet<string>? entityIds, Action<List<EntityState>> sendFirst)
    {
        lock (_lock)
        {
            _events.SubscribeEntities(connection, id, entityIds);
            sendFirst([.. _entities.Values.Where(e => entityIds is null || entityIds.Contains(e.EntityId))]);
        }
    }

    /// <summary>
    /// Sets an entity's state and attributes as Home Assistant's <c>POST /api/states/ENTITY_ID</c> does, creating it if
    /// it is new. <c>last_changed</c> moves when the state changes, <c>last_updated</c> when the state or the attributes
    /// do; when neither does, nothing is announced. Returns the state and whether the entity is new.
    /// </summary>
    public (EntityState State, bool Created) Set(string entityId, string state, Dictionary<string, JsonElement> attributes, HaContext context)
    {
        lock (_lock)
        {
            _entities.TryGetValue(entityId, out var old);
            var sameAttributes = old is not null && old.Attributes.Count == attributes.Count
                && attributes.All(a => old.Attributes.TryGetValue(a.Key, out var v) && JsonElement.DeepEquals(v, a.Value));
            if (old is not null && old.State == state && sameAttributes)
            {
                return (old, false);
            }

            var now = HaTime.Now();
            var updated = new EntityState(entityId, state, attributes, old is not null && old.State == state ? old.LastChanged : now, now, context);
            _entities[entityId] = updated;
            _events.StateChanged(new StateChangedData(entityId, old, updated), context);
            return (updated, old is null);
        }
    }

    /// <summary>Removes an entity, as <c>DELETE /api/states/ENTITY_ID</c>; false when there is none.</summary>
    public bool Remove(string entityId)
    {
        lock (_lock)
        {
            if (!_entities.Remove(entityId, out var old))
            {
                return false;
            }

            var context = HaContext.New();
            _events.StateChanged(new StateChangedData(entityId, old, null), context);
            return true;
        }
    }

    /// <summary>
    /// Calls <paramref name="domain"/>.<paramref name="service"/> on the entities named by <c>target.entity_id</c> or
    /// <c>service_data.entity_id</c> and announces each change. Returns the error code and message in Home Assistant's
    /// terms, or null when the call succeeded.
    /// </summary>
    public HaError? Call(string domain, string service, JsonElement command, HaContext context)
    {
        if (!ServiceCatalog.Has(domain, service))
        {
            return new HaError("not_found", $"Service {domain}.{service} not found.");
        }

        var data = command.TryGetProperty("service_data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var ids = EntityIds(command, data);
        if (ids.Count == 0)
        {
            return new HaError("invalid_format", "No entity_id in target or service_data.");
        }

        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (!_entities.TryGetValue(id, out var old) || (domain != "homeassistant" && !id.StartsWith(domain + ".", StringComparison.Ordinal)) || old.State is not ("on" or "off"))
                {
                    return new HaError("not_found", $"Entity {id} cannot be called with {domain}.{service}.");
                }

                var on = service == "turn_on" || (service == "toggle" && old.State == "off");
                var attributes = new Dictionary<string, JsonElement>(old.Attributes);
                if (id.StartsWith("light.", StringComparison.Ordinal))
                {
                    var brightness = on ? data.ValueKind == JsonValueKind.Object && data.TryGetProperty("brightness", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var level) ? Math.Clamp(level, 0, 255) : 255 : 0;
                    attributes["brightness"] = JsonSerializer.SerializeToElement(brightness, HaJsonContext.Default.Int32);
                }

                var now = HaTime.Now();
                var state = on ? "on" : "off";
                var updated = new EntityState(id, state, attributes, state == old.State ? old.LastChanged : now, now, context);
                _entities[id] = updated;
                _events.StateChanged(new StateChangedData(id, old, updated), context);
            }
        }

        return null;
    }

    private static List<string> EntityIds(JsonElement command, JsonElement data)
    {
        var ids = new List<string>();
        foreach (var holder in new[] { command.TryGetProperty("target", out var t) ? t : default, data })
        {
            if (holder.ValueKind != JsonValueKind.Object || !holder.TryGetProperty("entity_id", out var e))
            {
                continue;
            }

            if (e.ValueKind == JsonValueKind.String)
            {
                ids.Add(e.GetString()!);
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                ids.AddRange(e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
        }

        return ids;
    }

    private void Add(string id, string state, DateTimeOffset now, params (string Name, object Value)[] attributes) =>
        _entities[id] = new EntityState(id, state, attributes.ToDictionary(a => a.Name, a => a.Value switch
        {
            int i => JsonSerializer.SerializeToElement(i, HaJsonContext.Default.Int32),
            _ => JsonSerializer.SerializeToElement((string)a.Value, HaJsonContext.Default.String),
        }), now, now, HaContext.New());
}

using System.Text.Json;

namespace HomeHub;

/// <summary>
/// The home's entities, in memory, and the services that change them (<c>light</c>, <c>switch</c> and the generic
/// <c>homeassistant</c> domain: <c>turn_on</c>, <c>turn_off</c>, <c>toggle</c>; lights take <c>brightness</c>).
/// Thread safety: every member may be called from many threads at once; a service call changes its entities under
/// one lock so the old and new states it reports are consistent.
/// </summary>
public sealed class EntityStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, EntityState> _entities = new(StringComparer.Ordinal);

    /// <summary>A store with the sample home's entities, all last changed now.</summary>
    public EntityStore()
    {
        var now = Now();
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
    /// Calls <paramref name="domain"/>.<paramref name="service"/> on the entities named by <c>target.entity_id</c> or
    /// <c>service_data.entity_id</c>. Returns the state changes, or an error code and message in Home Assistant's terms.
    /// </summary>
    public (List<StateChangedData> Changes, HaError? Error) Call(string domain, string service, JsonElement command, HaContext context)
    {
        if (domain is not ("light" or "switch" or "homeassistant") || service is not ("turn_on" or "turn_off" or "toggle"))
        {
            return ([], new HaError("not_found", $"Service {domain}.{service} not found."));
        }

        var data = command.TryGetProperty("service_data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var ids = EntityIds(command, data);
        if (ids.Count == 0)
        {
            return ([], new HaError("invalid_format", "No entity_id in target or service_data."));
        }

        var changes = new List<StateChangedData>();
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (!_entities.TryGetValue(id, out var old) || (domain != "homeassistant" && !id.StartsWith(domain + ".", StringComparison.Ordinal)) || old.State is not ("on" or "off"))
                {
                    return (changes, new HaError("not_found", $"Entity {id} cannot be called with {domain}.{service}."));
                }

                var on = service == "turn_on" || (service == "toggle" && old.State == "off");
                var attributes = new Dictionary<string, JsonElement>(old.Attributes);
                if (id.StartsWith("light.", StringComparison.Ordinal))
                {
                    var brightness = on ? data.ValueKind == JsonValueKind.Object && data.TryGetProperty("brightness", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var level) ? Math.Clamp(level, 0, 255) : 255 : 0;
                    attributes["brightness"] = JsonSerializer.SerializeToElement(brightness, HaJsonContext.Default.Int32);
                }

                var now = Now();
                var state = on ? "on" : "off";
                var updated = new EntityState(id, state, attributes, state == old.State ? old.LastChanged : now, now, context);
                _entities[id] = updated;
                changes.Add(new StateChangedData(id, old, updated));
            }
        }

        return (changes, null);
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

    private void Add(string id, string state, string now, params (string Name, object Value)[] attributes) =>
        _entities[id] = new EntityState(id, state, attributes.ToDictionary(a => a.Name, a => a.Value switch
        {
            int i => JsonSerializer.SerializeToElement(i, HaJsonContext.Default.Int32),
            _ => JsonSerializer.SerializeToElement((string)a.Value, HaJsonContext.Default.String),
        }), now, now, HaContext.New());

    /// <summary>Now as Home Assistant writes times: ISO-8601 with microseconds and a +00:00 offset.</summary>
    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
}

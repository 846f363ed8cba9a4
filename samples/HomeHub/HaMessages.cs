using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeHub;

/// <summary>Home Assistant's <c>context</c> of a change: who caused it.</summary>
public sealed record HaContext(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("parent_id")] string? ParentId,
    [property: JsonPropertyName("user_id")] string? UserId)
{
    /// <summary>A new context with a fresh 26-character id (Home Assistant uses ULIDs of that length).</summary>
    public static HaContext New() => new(Guid.NewGuid().ToString("N")[..26].ToUpperInvariant(), null, null);
}

/// <summary>An entity's state as <c>get_states</c> and <c>state_changed</c> carry it.</summary>
public sealed record EntityState(
    [property: JsonPropertyName("entity_id")] string EntityId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("attributes")] Dictionary<string, JsonElement> Attributes,
    [property: JsonPropertyName("last_changed"), JsonConverter(typeof(HaTimeConverter))] DateTimeOffset LastChanged,
    [property: JsonPropertyName("last_updated"), JsonConverter(typeof(HaTimeConverter))] DateTimeOffset LastUpdated,
    [property: JsonPropertyName("context")] HaContext Context);

/// <summary>The <c>data</c> of a <c>state_changed</c> event: no old state for an entity added, no new state for one removed.</summary>
public sealed record StateChangedData(
    [property: JsonPropertyName("entity_id")] string EntityId,
    [property: JsonPropertyName("old_state")] EntityState? OldState,
    [property: JsonPropertyName("new_state")] EntityState? NewState);

/// <summary>An event as subscribers receive it inside <c>{"id":...,"type":"event","event":...}</c>.</summary>
public sealed record HaEvent(
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("data")] JsonElement Data,
    [property: JsonPropertyName("origin")] string Origin,
    [property: JsonPropertyName("time_fired"), JsonConverter(typeof(HaTimeConverter))] DateTimeOffset TimeFired,
    [property: JsonPropertyName("context")] HaContext Context);

/// <summary><c>auth_required</c>, <c>auth_ok</c> and <c>auth_invalid</c>.</summary>
public sealed record AuthMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("ha_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HaVersion,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>A successful <c>result</c>.</summary>
public sealed record ResultMessage(
    [property: JsonPropertyName("id")] long? Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("result")] JsonElement? Result);

/// <summary>A failed <c>result</c>: <c>{"code":...,"message":...}</c>.</summary>
public sealed record ErrorResultMessage(
    [property: JsonPropertyName("id")] long? Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("error")] HaError Error);

/// <summary>The error of a failed <c>result</c>.</summary>
public sealed record HaError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary><c>{"id":...,"type":"pong"}</c>.</summary>
public sealed record PongMessage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("type")] string Type);

/// <summary>The result of <c>call_service</c> and <c>fire_event</c>.</summary>
public sealed record ContextResult([property: JsonPropertyName("context")] HaContext Context);

/// <summary>The answer of <c>POST /api/states/...</c> and <c>DELETE</c> when it has no state to give: <c>{"message":...}</c>.</summary>
public sealed record HaMessage([property: JsonPropertyName("message")] string Message);

/// <summary>Source-generated JSON for every message HomeHub writes.</summary>
[JsonSerializable(typeof(EntityState))]
[JsonSerializable(typeof(List<EntityState>))]
[JsonSerializable(typeof(StateChangedData))]
[JsonSerializable(typeof(HaEvent))]
[JsonSerializable(typeof(AuthMessage))]
[JsonSerializable(typeof(ResultMessage))]
[JsonSerializable(typeof(ErrorResultMessage))]
[JsonSerializable(typeof(PongMessage))]
[JsonSerializable(typeof(ContextResult))]
[JsonSerializable(typeof(HaConfig))]
[JsonSerializable(typeof(HaMessage))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, ServiceDescription>>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class HaJsonContext : JsonSerializerContext;

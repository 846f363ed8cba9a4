using System.Buffers;
using System.Text.Json;

namespace HomeHub;

/// <summary>
/// Home Assistant's compressed states, the events of <c>subscribe_entities</c>: <c>{"a":{entity_id: state}}</c> for
/// entities added (each <c>{"s","a","c","lc"}</c>, with <c>"lu"</c> only when it differs from <c>lc</c>, and the
/// context as its id alone when it has no parent or user), <c>{"c":{entity_id:{"+":{...},"-":{"a":[...]}}}}</c> for a
/// change (what is new or changed under <c>+</c>, attributes removed under <c>-</c>) and <c>{"r":[entity_id]}</c> for an
/// entity removed. Written as Home Assistant's <c>websocket_api/messages.py</c> writes them.
/// </summary>
public static class CompressedStates
{
    /// <summary>The first event of a subscription: every state in <paramref name="states"/> as added.</summary>
    public static byte[] Added(IEnumerable<EntityState> states) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("a");
        foreach (var state in states)
        {
            writer.WritePropertyName(state.EntityId);
            WriteState(writer, state);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>The event for one <c>state_changed</c>: added, removed, or the difference.</summary>
    public static byte[] Diff(StateChangedData change) => Write(writer =>
    {
        writer.WriteStartObject();
        if (change.NewState is not { } state)
        {
            writer.WriteStartArray("r");
            writer.WriteStringValue(change.EntityId);
            writer.WriteEndArray();
        }
        else if (change.OldState is not { } old)
        {
            writer.WriteStartObject("a");
            writer.WritePropertyName(state.EntityId);
            WriteState(writer, state);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStartObject("c");
            writer.WriteStartObject(state.EntityId);
            WriteDifference(writer, old, state);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    });

    private static void WriteState(Utf8JsonWriter writer, EntityState state)
    {
        writer.WriteStartObject();
        writer.WriteString("s", state.State);
        writer.WriteStartObject("a");
        foreach (var (name, value) in state.Attributes)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
        var context = state.Context;
        if (context.ParentId is null && context.UserId is null)
        {
            writer.WriteString("c", context.Id);
        }
        else
        {
            writer.WriteStartObject("c");
            writer.WriteString("id", context.Id);
            writer.WriteString("parent_id", context.ParentId);
            writer.WriteString("user_id", context.UserId);
            writer.WriteEndObject();
        }

        writer.WriteNumber("lc", HaTime.Timestamp(state.LastChanged));
        if (state.LastUpdated != state.LastChanged)
        {
            writer.WriteNumber("lu", HaTime.Timestamp(state.LastUpdated));
        }

        writer.WriteEndObject();
    }

    // Home Assistant's _state_diff: the state, lc (or else lu), the context's changed parts, then the attributes.
    private static void WriteDifference(Utf8JsonWriter writer, EntityState old, EntityState state)
    {
        writer.WriteStartObject("+");
        if (old.State != state.State)
        {
            writer.WriteString("s", state.State);
        }

        if (old.LastChanged != state.LastChanged)
        {
            writer.WriteNumber("lc", HaTime.Timestamp(state.LastChanged));
        }
        else if (old.LastUpdated != state.LastUpdated)
        {
            writer.WriteNumber("lu", HaTime.Timestamp(state.LastUpdated));
        }

        WriteContextDifference(writer, old.Context, state.Context);
        var changed = state.Attributes.Where(a => !old.Attributes.TryGetValue(a.Key, out var before) || !JsonElement.DeepEquals(before, a.Value)).ToList();
        if (changed.Count > 0)
        {
            writer.WriteStartObject("a");
            foreach (var (name, value) in changed)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        var removed = old.Attributes.Keys.Where(name => !state.Attributes.ContainsKey(name)).ToList();
        if (removed.Count > 0)
        {
            writer.WriteStartObject("-");
            writer.WriteStartArray("a");
            removed.ForEach(writer.WriteStringValue);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    // A new id alone is written as a string; with a changed parent or user, the changed parts as an object.
    private static void WriteContextDifference(Utf8JsonWriter writer, HaContext old, HaContext context)
    {
        var parent = old.ParentId != context.ParentId;
        var user = old.UserId != context.UserId;
        var id = old.Id != context.Id;
        if (!parent && !user)
        {
            if (id)
            {
                writer.WriteString("c", context.Id);
            }

            return;
        }

        writer.WriteStartObject("c");
        if (parent)
        {
            writer.WriteString("parent_id", context.ParentId);
        }

        if (user)
        {
            writer.WriteString("user_id", context.UserId);
        }

        if (id)
        {
            writer.WriteString("id", context.Id);
        }

        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>Encodes client commands of protocol v1 with <see cref="Utf8JsonWriter"/>: no reflection, trimming safe.</summary>
internal static class CommandEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly byte[] Ping = "{\"type\":\"ping\"}"u8.ToArray();
    public static readonly byte[] Pong = "{\"type\":\"pong\"}"u8.ToArray();

    public static byte[] Subscribe(long id, string channel, StreamPosition? since, bool presence) => Encode((id, channel, since, presence), static (w, s) =>
    {
        Head(w, "subscribe", s.id);
        w.WriteString("channel", s.channel);
        WriteSince(w, s.since);
        if (s.presence)
        {
            w.WriteBoolean("presence", true);
        }
    });

    public static byte[] Unsubscribe(string channel) => Encode(channel, static (w, channel) =>
    {
        w.WriteString("type", "unsubscribe");
        w.WriteString("channel", channel);
    });

    public static byte[] Publish<T>(long id, string channel, string key, T data, JsonTypeInfo<T> typeInfo) => Encode((id, channel, key, data, typeInfo), static (w, s) =>
    {
        Head(w, "publish", s.id);
        w.WriteString("channel", s.channel);
        w.WriteString("key", s.key);
        w.WritePropertyName("data");
        JsonSerializer.Serialize(w, s.data, s.typeInfo);
    });

    public static byte[] History(long id, string channel, HistoryOptions? options) => Encode((id, channel, options), static (w, s) =>
    {
        Head(w, "history", s.id);
        w.WriteString("channel", s.channel);
        if (s.options?.Limit is { } limit)
        {
            w.WriteNumber("limit", limit);
        }

        WriteSince(w, s.options?.Since);
    });

    public static byte[] Presence(long id, string channel) => Encode((id, channel), static (w, s) =>
    {
        Head(w, "presence", s.id);
        w.WriteString("channel", s.channel);
    });

    public static byte[] Rpc<TParams>(long id, string method, TParams parameters, JsonTypeInfo<TParams>? typeInfo) => Encode((id, method, parameters, typeInfo), static (w, s) =>
    {
        Head(w, "rpc", s.id);
        w.WriteString("method", s.method);
        if (s.typeInfo is not null)
        {
            w.WritePropertyName("params");
            JsonSerializer.Serialize(w, s.parameters, s.typeInfo);
        }
    });

    public static byte[] Refresh(long id, string token) => Encode((id, token), static (w, s) =>
    {
        Head(w, "refresh", s.id);
        w.WriteString("token", s.token);
    });

    public static byte[] Auth(string token) => Encode(token, static (w, token) =>
    {
        w.WriteString("type", "auth");
        w.WriteString("token", token);
    });

    private static void Head(Utf8JsonWriter w, string type, long id)
    {
        w.WriteString("type", type);
        w.WriteNumber("id", id);
    }

    private static void WriteSince(Utf8JsonWriter w, StreamPosition? since)
    {
        if (since is { } position)
        {
            w.WriteStartObject("since");
            w.WriteNumber("offset", position.Offset);
            w.WriteString("epoch", position.Epoch);
            w.WriteEndObject();
        }
    }

    private static byte[] Encode<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            write(w, state);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

using System.Buffers;
using System.Text.Json;

namespace Switchboard.Server.Internal.Cluster;

/// <summary>
/// One message between nodes on the control bus, as JSON: <c>{"t":type,"k":key,"r":reason,"m":raw JSON,"s":stats}</c>.
/// The key is a user, client, channel or survey id depending on the type; <c>m</c> carries wire bytes encoded once on
/// the sending node (a presence event, a server send) that receiving nodes hand to connections as they are.
/// </summary>
/// <remarks>Thread safety: immutable; the codec is stateless.</remarks>
internal readonly record struct ControlMessage(string Type, string Key, string? Reason, ReadOnlyMemory<byte> Payload, NodeStats Stats)
{
    public const string Presence = "p";
    public const string SendToUser = "su";
    public const string SendToClient = "sc";
    public const string DisconnectUser = "du";
    public const string DisconnectClient = "dc";
    public const string StatsRequest = "sq";
    public const string StatsReply = "sr";

    public static byte[] Encode(string type, string key, ReadOnlyMemory<byte> payload = default, string? reason = null, NodeStats? stats = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + key.Length + payload.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("t"u8, type);
            w.WriteString("k"u8, key);
            if (reason is not null)
            {
                w.WriteString("r"u8, reason);
            }

            if (!payload.IsEmpty)
            {
                w.WritePropertyName("m"u8);
                w.WriteRawValue(payload.Span, skipInputValidation: true);
            }

            if (stats is { } s)
            {
                w.WriteStartObject("s"u8);
                w.WriteString("n"u8, s.Node);
                w.WriteNumber("c"u8, s.Connections);
                w.WriteNumber("h"u8, s.Channels);
                w.WriteNumber("u"u8, s.Subscriptions);
                w.WriteNumber("t"u8, s.UptimeSeconds);
                w.WriteBoolean("d"u8, s.Draining);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a message; <see cref="JsonException"/> or <see cref="FormatException"/> for one that is not.</summary>
    public static ControlMessage Decode(ReadOnlyMemory<byte> message)
    {
        var reader = new Utf8JsonReader(message.Span);
        string? type = null, key = null, reason = null;
        ReadOnlyMemory<byte> payload = default;
        NodeStats stats = default;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Expect(reader.Read());
            switch (name)
            {
                case "t": type = reader.GetString(); break;
                case "k": key = reader.GetString(); break;
                case "r": reason = reader.GetString(); break;
                case "m":
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    payload = message[start..(int)reader.BytesConsumed];
                    break;
                case "s": stats = ReadStats(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        Expect(type is not null && key is not null);
        return new ControlMessage(type!, key!, reason, payload, stats);
    }

    private static NodeStats ReadStats(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.StartObject);
        var stats = default(NodeStats);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Expect(reader.Read());
            stats = name switch
            {
                "n" => stats with { Node = reader.GetString() ?? string.Empty },
                "c" => stats with { Connections = reader.GetInt32() },
                "h" => stats with { Channels = reader.GetInt32() },
                "u" => stats with { Subscriptions = reader.GetInt64() },
                "t" => stats with { UptimeSeconds = reader.GetInt64() },
                "d" => stats with { Draining = reader.GetBoolean() },
                _ => Skip(ref reader, stats),
            };
        }

        return stats;
    }

    private static NodeStats Skip(ref Utf8JsonReader reader, NodeStats stats)
    {
        reader.Skip();
        return stats;
    }

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new FormatException("not a control message");
        }
    }
}

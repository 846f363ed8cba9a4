using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Presence;

namespace Switchboard.Redis.Internal;

/// <summary>
/// The value of a presence hash field: <c>"{node id} {json}"</c> with <c>{"u":user,"i":info}</c> (each absent when
/// empty), the info claim copied as raw JSON. The node id comes first so readers can check liveness cheaply.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class PresenceEntryCodec
{
    public static byte[] Encode(string nodeId, PresenceEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + entry.Info.Length);
        buffer.Write(Encoding.UTF8.GetBytes(nodeId + " "));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            if (entry.User is not null)
            {
                writer.WriteString("u"u8, entry.User);
            }

            if (!entry.Info.IsEmpty)
            {
                writer.WritePropertyName("i"u8);
                writer.WriteRawValue(entry.Info.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static bool TryDecode(string client, byte[] value, out string node, out PresenceEntry entry)
    {
        node = string.Empty;
        entry = null!;
        var space = Array.IndexOf(value, (byte)' ');
        if (space <= 0)
        {
            return false;
        }

        node = Encoding.UTF8.GetString(value, 0, space);
        var body = value.AsSpan(space + 1);
        try
        {
            var reader = new Utf8JsonReader(body);
            string? user = null;
            ReadOnlyMemory<byte> info = ReadOnlyMemory<byte>.Empty;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUser = reader.ValueTextEquals("u"u8);
                var isInfo = reader.ValueTextEquals("i"u8);
                reader.Read();
                if (isUser)
                {
                    user = reader.GetString();
                }
                else if (isInfo)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    info = body[start..(int)reader.BytesConsumed].ToArray();
                }
                else
                {
                    reader.Skip();
                }
            }

            entry = new PresenceEntry(client, user, info);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

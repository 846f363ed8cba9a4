using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Nats.Internal;

/// <summary>Maps payloads between NATS messages and channel publications, as a bridge's <see cref="PayloadMapping"/> says.</summary>
internal static class PayloadCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The publication data for a NATS message, or <see langword="null"/> when it cannot be one (JSON mapping and a
    /// payload that is not exactly one JSON value in valid UTF-8). Wrapped, a payload that is not JSON becomes a JSON
    /// string, invalid UTF-8 replaced by U+FFFD.
    /// </summary>
    public static byte[]? ToChannelData(PayloadMapping mapping, string subject, ReadOnlySpan<byte> payload)
    {
        var isJson = !payload.IsEmpty && PublicationData.IsOneJsonValue(payload); // valid UTF-8 included: a poison payload never passes as JSON
        if (mapping == PayloadMapping.Json)
        {
            return isJson ? payload.ToArray() : null;
        }

        var buffer = new ArrayBufferWriter<byte>(payload.Length + subject.Length + 32);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("subject", subject);
            w.WritePropertyName("data");
            if (payload.IsEmpty)
            {
                w.WriteNullValue();
            }
            else if (isJson)
            {
                w.WriteRawValue(payload, skipInputValidation: true);
            }
            else
            {
                w.WriteStringValue(Encoding.UTF8.GetString(payload)); // text (or anything else) kept as a JSON string
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The NATS payload for a channel publication.</summary>
    public static byte[] ToNatsPayload(PayloadMapping mapping, string channel, ReadOnlySpan<byte> data, long offset, PublisherInfo? from)
    {
        if (mapping == PayloadMapping.Json)
        {
            return data.ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(data.Length + channel.Length + 96);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("channel", channel);
            w.WritePropertyName("data");
            w.WriteRawValue(data, skipInputValidation: true); // validated when it was published
            w.WriteNumber("offset", offset);
            if (from is not null)
            {
                w.WriteString("client", from.Client);
                w.WriteString("user", from.User);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

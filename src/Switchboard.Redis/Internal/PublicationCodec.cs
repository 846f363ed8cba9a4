using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Redis.Internal;

/// <summary>
/// The form of a publication in Redis, the same bytes in the history list and on pub/sub:
/// <c>"{offset} {epoch} {timestamp ms} {expires ms} {body}"</c>. The Lua publish script writes the header (it owns the
/// offset, epoch and clock); this node writes the body, <c>{"c":client,"u":user,"d":data}</c> (<c>c</c>/<c>u</c>
/// absent for the server), with the data copied as raw JSON.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class PublicationCodec
{
    public static byte[] EncodeBody(ReadOnlyMemory<byte> data, PublisherInfo? from)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            if (from is not null)
            {
                writer.WriteString("c"u8, from.Client);
                if (from.User is null)
                {
                    writer.WriteNull("u"u8);
                }
                else
                {
                    writer.WriteString("u"u8, from.User);
                }
            }

            writer.WritePropertyName("d"u8);
            writer.WriteRawValue(data.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes one entry; <paramref name="expires"/> is when it leaves history (Unix ms, Redis clock).</summary>
    public static Publication Decode(string channel, ReadOnlySpan<byte> entry, out long expires)
    {
        var offset = ReadNumber(ref entry);
        var epoch = Encoding.UTF8.GetString(ReadField(ref entry));
        var timestamp = ReadNumber(ref entry);
        expires = ReadNumber(ref entry);

        var reader = new Utf8JsonReader(entry);
        string? client = null;
        string? user = null;
        ReadOnlyMemory<byte> data = default;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            Expect(reader.Read());
            if (name.SequenceEqual("c"u8))
            {
                client = reader.GetString();
            }
            else if (name.SequenceEqual("u"u8))
            {
                user = reader.GetString();
            }
            else if (name.SequenceEqual("d"u8))
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                data = entry[start..(int)reader.BytesConsumed].ToArray();
            }
            else
            {
                reader.Skip();
            }
        }

        Expect(!data.IsEmpty);
        var from = client is null ? null : new PublisherInfo(client, user);
        return new Publication(channel, data, offset, epoch, from, timestamp);
    }

    /// <summary>Parses "offset epoch" as returned by the publish script.</summary>
    public static StreamPosition DecodePosition(ReadOnlySpan<byte> value)
    {
        var offset = ReadNumber(ref value);
        return new StreamPosition(offset, Encoding.UTF8.GetString(value));
    }

    private static ReadOnlySpan<byte> ReadField(ref ReadOnlySpan<byte> rest)
    {
        var space = rest.IndexOf((byte)' ');
        Expect(space > 0);
        var field = rest[..space];
        rest = rest[(space + 1)..];
        return field;
    }

    private static long ReadNumber(ref ReadOnlySpan<byte> rest)
    {
        Expect(Utf8Parser.TryParse(ReadField(ref rest), out long value, out var consumed) && consumed > 0);
        return value;
    }

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new FormatException("Not a Switchboard publication entry.");
        }
    }
}

using System.Text.Json;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>
/// Finds a message's type without building a document: one forward pass of <see cref="Utf8JsonReader"/> that also
/// checks the whole message is one valid JSON object.
/// </summary>
internal static class MessageTypeReader
{
    /// <summary>
    /// Whether <paramref name="json"/> is one JSON object; <paramref name="type"/> is its top-level
    /// <paramref name="typeProperty"/> when that is a string, otherwise <see langword="null"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, ReadOnlySpan<byte> typeProperty, out string? type)
    {
        type = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = type is null && reader.ValueTextEquals(typeProperty);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            // The object's end; anything after it makes the message invalid (Read throws on trailing data).
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            type = null;
            return false;
        }
    }
}

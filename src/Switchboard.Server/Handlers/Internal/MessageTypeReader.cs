using System.Buffers;
using System.Text.Json;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>
/// Finds a message's type without building a document: one forward pass of <see cref="Utf8JsonReader"/> that also
/// checks the whole message is one valid JSON object whose every string is text.
/// </summary>
internal static class MessageTypeReader
{
    private const int StackCopy = 256;

    /// <summary>
    /// Whether <paramref name="json"/> is one JSON object; <paramref name="type"/> is its top-level
    /// <paramref name="typeProperty"/> when that is a string, otherwise <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// A string (or property name) that escapes a lone surrogate, such as <c>"\ud800"</c>, is valid JSON syntax but no
    /// text: <see cref="JsonElement.GetString"/> throws on it. Such a message is refused here, as invalid JSON, so that
    /// no handler ever reads a string that throws, and the client's mistake is answered instead of failing the handler.
    /// </remarks>
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

            var valueIsType = false;
            while (reader.Read() && reader.CurrentDepth > 0)
            {
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String && reader.ValueIsEscaped && !IsText(ref reader))
                {
                    return false;
                }

                if (valueIsType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }

                valueIsType = type is null && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(typeProperty);
            }

            // The object's end; anything after it makes the message invalid (Read throws on trailing data).
            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 && !reader.Read();
        }
        catch (JsonException)
        {
            type = null;
            return false;
        }
    }

    /// <summary>Whether the current escaped string unescapes to valid UTF-16 (its unescaped form is never longer).</summary>
    private static bool IsText(ref Utf8JsonReader reader)
    {
        var length = checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length));
        byte[]? rented = null;
        var buffer = length <= StackCopy ? stackalloc byte[StackCopy] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            reader.CopyString(buffer);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

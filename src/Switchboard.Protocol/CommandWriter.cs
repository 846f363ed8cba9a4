using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>
/// Encodes client commands of protocol v1: the client's side of <see cref="CommandParser"/>. What it writes, the parser
/// reads back as the same <see cref="Command"/>, and a command the parser accepted is written back in canonical form
/// (fields in the order <c>type, id, channel, data, key, since, limit, presence, method, params, token</c>; the golden
/// vectors in <c>tests/vectors/commands.json</c> hold both directions).
/// </summary>
/// <remarks>Thread safety: safe to call from many threads.</remarks>
public static class CommandWriter
{
    /// <summary>The encoded <c>{"type":"ping"}</c>.</summary>
    public static ReadOnlyMemory<byte> Ping { get; } = "{\"type\":\"ping\"}"u8.ToArray();

    /// <summary>The encoded <c>{"type":"pong"}</c>, the answer to a server <c>ping</c>.</summary>
    public static ReadOnlyMemory<byte> Pong { get; } = "{\"type\":\"pong\"}"u8.ToArray();

    /// <summary>Writes <paramref name="command"/> as one JSON object.</summary>
    /// <exception cref="ArgumentException">A publish without <see cref="Command.Data"/>.</exception>
    /// <exception cref="JsonException"><see cref="Command.Data"/> or <see cref="Command.Params"/> is not valid JSON.</exception>
    public static void Write(IBufferWriter<byte> output, Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var w = PooledJsonWriter.Rent(output);
        try
        {
            w.WriteStartObject();
            w.WriteString(JsonNames.Type, Command.TypeName(command.Type));
            command.Id?.WriteTo(w);
            if (command.Channel is { } channel)
            {
                w.WriteString(JsonNames.Channel, channel.Value);
            }

            if (command.Type == CommandType.Publish)
            {
                if (command.Data.IsEmpty)
                {
                    throw new ArgumentException("a publish needs data (raw JSON; \"null\" for null)", nameof(command));
                }

                w.WritePropertyName(JsonNames.Data);
                w.WriteRawValue(command.Data.Span);
            }

            WriteOptional(w, command);
            w.WriteEndObject();
        }
        finally
        {
            PooledJsonWriter.Return(w);
        }
    }

    /// <summary>Encodes <paramref name="command"/> into a new array (the client keeps it to send again after a reconnect).</summary>
    public static byte[] Encode(Command command)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + command.Data.Length + command.Params.Length);
        Write(buffer, command);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, Command command)
    {
        if (command.Key is { } key)
        {
            w.WriteString(JsonNames.Key, key);
        }

        if (command.Since is { } since)
        {
            w.WriteStartObject(JsonNames.Since);
            MessageWriter.WritePosition(w, since);
            w.WriteEndObject();
        }

        if (command.Limit is { } limit)
        {
            w.WriteNumber(JsonNames.Limit, limit);
        }

        if (command.Presence)
        {
            w.WriteBoolean(JsonNames.Presence, true);
        }

        if (command.Method is { } method)
        {
            w.WriteString(JsonNames.Method, method);
        }

        if (!command.Params.IsEmpty)
        {
            w.WritePropertyName(JsonNames.Params);
            w.WriteRawValue(command.Params.Span);
        }

        if (command.Token is { } token)
        {
            w.WriteString(JsonNames.Token, token);
        }
    }
}

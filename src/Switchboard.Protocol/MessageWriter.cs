using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>
/// Encodes server messages of protocol v1 into an <see cref="IBufferWriter{T}"/>. One JSON object per call.
/// </summary>
/// <remarks>Thread safety: safe to call from many threads; each thread reuses its own <see cref="Utf8JsonWriter"/>.</remarks>
public static class MessageWriter
{
    /// <summary>The encoded <c>{"type":"ping"}</c>.</summary>
    public static ReadOnlyMemory<byte> Ping { get; } = "{\"type\":\"ping\"}"u8.ToArray();

    /// <summary>Writes a message that has only a <c>type</c>, e.g. <c>auth_required</c>, <c>auth_ok</c>, <c>token_expiring</c>.</summary>
    public static void WriteTypeOnly(IBufferWriter<byte> output, string type)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, type);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes <c>welcome</c>.</summary>
    public static void WriteWelcome(IBufferWriter<byte> output, string client, string? user, string node, int pingSeconds) =>
        WriteWelcome(output, client, user, node, pingSeconds, commandsPerSecond: 0, commandBurst: 0);

    /// <summary>
    /// Writes <c>welcome</c> with the connection's command rate limit as <c>"limits":{"commands_per_second","command_burst"}</c>
    /// (left out when <paramref name="commandsPerSecond"/> is 0: no limit), so that a client can pace itself.
    /// </summary>
    public static void WriteWelcome(IBufferWriter<byte> output, string client, string? user, string node, int pingSeconds, int commandsPerSecond, int commandBurst) =>
        WriteWelcome(output, client, user, node, pingSeconds, commandsPerSecond, commandBurst, data: default);

    /// <summary>Writes <c>welcome</c> as above, with <paramref name="data"/> (raw JSON, the application's connect answer) as <c>"data"</c> unless empty.</summary>
    public static void WriteWelcome(IBufferWriter<byte> output, string client, string? user, string node, int pingSeconds, int commandsPerSecond, int commandBurst, ReadOnlySpan<byte> data)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "welcome");
        w.WriteString(JsonNames.Client, client);
        WriteNullableString(w, JsonNames.User, user);
        w.WriteString(JsonNames.Node, node);
        w.WriteNumber(JsonNames.Ping, pingSeconds);
        w.WriteNumber(JsonNames.Version, 1);
        if (commandsPerSecond > 0)
        {
            w.WritePropertyName(JsonNames.Limits);
            w.WriteStartObject();
            w.WriteNumber(JsonNames.CommandsPerSecond, commandsPerSecond);
            w.WriteNumber(JsonNames.CommandBurst, commandBurst);
            w.WriteEndObject();
        }

        if (!data.IsEmpty)
        {
            w.WritePropertyName(JsonNames.Data);
            w.WriteRawValue(data, skipInputValidation: true); // Parsed when the backend's answer was read.
        }

        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes a successful <c>result</c> whose body is written by <paramref name="writeResult"/>, inside <c>"result":{...}</c>.</summary>
    public static void WriteSuccess<TState>(IBufferWriter<byte> output, CommandId id, TState state, Action<Utf8JsonWriter, TState> writeResult)
    {
        var w = PooledJsonWriter.Rent(output);
        WriteResultHead(w, id, success: true);
        w.WritePropertyName(JsonNames.Result);
        w.WriteStartObject();
        writeResult(w, state);
        w.WriteEndObject();
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes a successful <c>result</c> with an empty object, <c>"result":{}</c>.</summary>
    public static void WriteSuccess(IBufferWriter<byte> output, CommandId id) =>
        WriteSuccess(output, id, 0, static (_, _) => { });

    /// <summary>Writes a successful <c>result</c> whose value is the raw JSON <paramref name="rawResult"/> (any JSON value).</summary>
    public static void WriteSuccessRaw(IBufferWriter<byte> output, CommandId id, ReadOnlySpan<byte> rawResult)
    {
        var w = PooledJsonWriter.Rent(output);
        WriteResultHead(w, id, success: true);
        w.WritePropertyName(JsonNames.Result);
        w.WriteRawValue(rawResult, skipInputValidation: true);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes a failed <c>result</c>.</summary>
    public static void WriteFailure(IBufferWriter<byte> output, CommandId id, ProtocolError error)
    {
        var w = PooledJsonWriter.Rent(output);
        WriteResultHead(w, id, success: false);
        w.WritePropertyName(JsonNames.Error);
        w.WriteStartObject();
        w.WriteString(JsonNames.Code, error.Code);
        w.WriteString(JsonNames.Message, error.Message);
        WriteRetryAfter(w, error);
        w.WriteEndObject();
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes an <c>error</c> message; <paramref name="refType"/> names the command type it answers, if known.</summary>
    public static void WriteError(IBufferWriter<byte> output, ProtocolError error, string? refType)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "error");
        w.WriteString(JsonNames.Code, error.Code);
        w.WriteString(JsonNames.Message, error.Message);
        WriteRetryAfter(w, error);
        if (refType is not null)
        {
            w.WriteString(JsonNames.Ref, refType);
        }

        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    private static void WriteRetryAfter(Utf8JsonWriter w, ProtocolError error)
    {
        if (error.RetryAfterMs is { } retryAfter)
        {
            w.WriteNumber(JsonNames.RetryAfterMs, retryAfter);
        }
    }

    /// <summary>Writes the reply to a command that failed: a <c>result</c> when it has an id, otherwise an <c>error</c>.</summary>
    public static void WriteCommandError(IBufferWriter<byte> output, CommandId? id, ProtocolError error, string? refType)
    {
        if (id is { } value)
        {
            WriteFailure(output, value, error);
        }
        else
        {
            WriteError(output, error, refType);
        }
    }

    /// <summary>Writes <c>auth_invalid</c>.</summary>
    public static void WriteAuthInvalid(IBufferWriter<byte> output, string message)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "auth_invalid");
        w.WriteString(JsonNames.Message, message);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes <c>pong</c>, echoing the ping's id when it had one.</summary>
    public static void WritePong(IBufferWriter<byte> output, CommandId? id)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "pong");
        id?.WriteTo(w);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>
    /// Writes an <c>unsubscribe</c> push: the server ended the subscription to <paramref name="channel"/> (exactly as
    /// subscribed). The gap notice has reason <c>insufficient_state</c> and <paramref name="resubscribe"/> true.
    /// </summary>
    public static void WriteUnsubscribe(IBufferWriter<byte> output, string channel, string reason, bool resubscribe)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "unsubscribe");
        w.WriteString(JsonNames.Channel, channel);
        w.WriteString(JsonNames.Reason, reason);
        w.WriteBoolean(JsonNames.Resubscribe, resubscribe);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes a <c>join</c> or <c>leave</c> presence event.</summary>
    public static void WritePresenceEvent(IBufferWriter<byte> output, bool join, string channel, string client, string? user, ReadOnlySpan<byte> info)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, join ? "join" : "leave");
        w.WriteString(JsonNames.Channel, channel);
        w.WriteString(JsonNames.Client, client);
        WriteNullableString(w, JsonNames.User, user);
        WriteInfo(w, info);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes a presence entry <c>{"client","user","info"}</c> inside a result.</summary>
    public static void WritePresenceEntry(Utf8JsonWriter w, string client, string? user, ReadOnlySpan<byte> info)
    {
        w.WriteStartObject();
        w.WriteString(JsonNames.Client, client);
        WriteNullableString(w, JsonNames.User, user);
        WriteInfo(w, info);
        w.WriteEndObject();
    }

    /// <summary>Writes the <c>message</c> wire form of a publication.</summary>
    public static void WritePublication(IBufferWriter<byte> output, Publication publication)
    {
        var w = PooledJsonWriter.Rent(output);
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "message");
        w.WriteString(JsonNames.Channel, publication.Channel);
        w.WritePropertyName(JsonNames.Data);
        w.WriteRawValue(publication.Data.Span, skipInputValidation: true);
        w.WriteNumber(JsonNames.Offset, publication.Offset);
        w.WriteString(JsonNames.Epoch, publication.Epoch);
        if (publication.From is { } from)
        {
            w.WritePropertyName(JsonNames.From);
            w.WriteStartObject();
            w.WriteString(JsonNames.Client, from.Client);
            WriteNullableString(w, JsonNames.User, from.User);
            w.WriteEndObject();
        }

        w.WriteNumber(JsonNames.Ts, publication.Timestamp);
        w.WriteEndObject();
        PooledJsonWriter.Return(w);
    }

    /// <summary>Writes <c>"publications":[...]</c> from the publications' cached wire forms.</summary>
    public static void WritePublications(Utf8JsonWriter w, IReadOnlyList<Publication> publications)
    {
        w.WritePropertyName(JsonNames.Publications);
        w.WriteStartArray();
        foreach (var publication in publications)
        {
            w.WriteRawValue(publication.Encoded.Span, skipInputValidation: true);
        }

        w.WriteEndArray();
    }

    /// <summary>Writes <c>"offset":N,"epoch":"E"</c>.</summary>
    public static void WritePosition(Utf8JsonWriter w, StreamPosition position)
    {
        w.WriteNumber(JsonNames.Offset, position.Offset);
        w.WriteString(JsonNames.Epoch, position.Epoch);
    }

    private static void WriteInfo(Utf8JsonWriter w, ReadOnlySpan<byte> info)
    {
        w.WritePropertyName(JsonNames.Info);
        if (info.IsEmpty)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteRawValue(info, skipInputValidation: true);
        }
    }

    private static void WriteResultHead(Utf8JsonWriter w, CommandId id, bool success)
    {
        w.WriteStartObject();
        w.WriteString(JsonNames.Type, "result");
        id.WriteTo(w);
        w.WriteBoolean(JsonNames.Success, success);
    }

    private static void WriteNullableString(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}

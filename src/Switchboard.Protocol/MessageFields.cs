using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>
/// The fields of one server-sent JSON object (a message, a publication inside a result, a result body), collected in
/// one pass. Lenient like a client must be: a field of the wrong type counts as absent, unknown fields are skipped.
/// </summary>
internal struct MessageFields
{
    public string? Type;
    public CommandId? Id;
    public bool Success;
    public Range Result;
    public string? ErrorCode;
    public string? ErrorMessage;
    public string? Code;
    public string? Message;
    public string? Ref;
    public string? Channel;
    public Range Data;
    public long? Offset;
    public string? Epoch;
    public PublisherInfo? From;
    public long Ts;
    public string? Client;
    public string? User;
    public string? Node;
    public int Ping;
    public int Version;
    public Range Info;
    public bool? Recovered;
    public List<Publication>? Publications;
    public List<PresenceMember>? Clients;
    public long? Expires;
    public bool More;
    public string? Reason;
    public bool Resubscribe;
    public int? RetryAfterMs;
    public int? ErrorRetryAfterMs;
    public int CommandsPerSecond;
    public int CommandBurst;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Makes one array element from its fields (the JSON they were read from, for raw values).</summary>
    private delegate T Element<T>(in MessageFields fields, ReadOnlySpan<byte> utf8);

    private enum Field
    {
        Unknown, Type, Id, Success, Result, Error, Code, Message, Ref, Channel, Data, Offset, Epoch, From, Ts, Client,
        User, Node, Ping, Version, Info, Recovered, Publications, Clients, Expires, More, Reason, Resubscribe,
        RetryAfterMs, Limits, CommandsPerSecond, CommandBurst,
    }

    private static readonly (byte[] Name, Field Field)[] Names =
    [
        ("type"u8.ToArray(), Field.Type), ("id"u8.ToArray(), Field.Id), ("channel"u8.ToArray(), Field.Channel),
        ("data"u8.ToArray(), Field.Data), ("offset"u8.ToArray(), Field.Offset), ("epoch"u8.ToArray(), Field.Epoch),
        ("from"u8.ToArray(), Field.From), ("ts"u8.ToArray(), Field.Ts), ("success"u8.ToArray(), Field.Success),
        ("result"u8.ToArray(), Field.Result), ("error"u8.ToArray(), Field.Error), ("code"u8.ToArray(), Field.Code),
        ("message"u8.ToArray(), Field.Message), ("ref"u8.ToArray(), Field.Ref), ("client"u8.ToArray(), Field.Client),
        ("user"u8.ToArray(), Field.User), ("node"u8.ToArray(), Field.Node), ("ping"u8.ToArray(), Field.Ping),
        ("version"u8.ToArray(), Field.Version), ("info"u8.ToArray(), Field.Info), ("recovered"u8.ToArray(), Field.Recovered),
        ("publications"u8.ToArray(), Field.Publications), ("clients"u8.ToArray(), Field.Clients), ("expires"u8.ToArray(), Field.Expires),
        ("more"u8.ToArray(), Field.More), ("reason"u8.ToArray(), Field.Reason), ("resubscribe"u8.ToArray(), Field.Resubscribe),
        ("retry_after_ms"u8.ToArray(), Field.RetryAfterMs), ("limits"u8.ToArray(), Field.Limits),
        ("commands_per_second"u8.ToArray(), Field.CommandsPerSecond), ("command_burst"u8.ToArray(), Field.CommandBurst),
    ];

    /// <summary>Reads <paramref name="utf8"/> as one JSON object; <see langword="false"/> when it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out MessageFields fields)
    {
        fields = default;
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            fields.ReadObject(ref reader, utf8);
            return !reader.Read(); // Throws on anything after the object but whitespace.
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads the object the reader is on (its <c>StartObject</c>), up to its <c>EndObject</c>.</summary>
    public void ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader);
            reader.Read();
            switch (field)
            {
                case Field.Type: Type = ReadString(ref reader); break;
                case Field.Id: Id = ReadId(ref reader); break;
                case Field.Success: Success = reader.TokenType == JsonTokenType.True; break;
                case Field.Result: Result = ReadRaw(ref reader); break;
                case Field.Error: ReadError(ref reader); break;
                case Field.Code: Code = ReadString(ref reader); break;
                case Field.Message: Message = ReadString(ref reader); break;
                case Field.Ref: Ref = ReadString(ref reader); break;
                case Field.Channel: Channel = ReadString(ref reader); break;
                case Field.Data: Data = ReadRaw(ref reader); break;
                case Field.Offset: Offset = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var o) ? o : null; break;
                case Field.Epoch: Epoch = ReadString(ref reader); break;
                case Field.From: From = ReadFrom(ref reader); break;
                case Field.Ts: Ts = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ts) ? ts : 0; break;
                case Field.Client: Client = ReadString(ref reader); break;
                case Field.User: User = ReadString(ref reader); break;
                case Field.Node: Node = ReadString(ref reader); break;
                case Field.Ping: Ping = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var p) ? p : 0; break;
                case Field.Version: Version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : 0; break;
                case Field.Info: Info = ReadRaw(ref reader); break;
                case Field.Recovered: Recovered = reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : null; break;
                case Field.Publications: Publications = ReadArray(ref reader, utf8, static (in fields, json) => fields.ToPublication(json, "")); break;
                case Field.Clients: Clients = ReadArray(ref reader, utf8, static (in fields, json) => fields.ToMember(json)); break;
                case Field.Expires: Expires = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var e) ? e : null; break;
                case Field.More: More = reader.TokenType == JsonTokenType.True; break;
                case Field.Reason: Reason = ReadString(ref reader); break;
                case Field.Resubscribe: Resubscribe = reader.TokenType == JsonTokenType.True; break;
                case Field.RetryAfterMs: RetryAfterMs = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var r) && r >= 0 ? r : null; break;
                case Field.Limits: ReadLimits(ref reader); break;
                case Field.CommandsPerSecond: CommandsPerSecond = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var cps) && cps > 0 ? cps : 0; break;
                case Field.CommandBurst: CommandBurst = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var cb) && cb > 0 ? cb : 0; break;
                default: reader.Skip(); break;
            }
        }
    }

    /// <summary>These fields as a publication (a <c>message</c>, or an element of <c>publications</c>).</summary>
    public readonly Publication ToPublication(ReadOnlySpan<byte> utf8, string defaultChannel) =>
        new(Channel ?? defaultChannel, Slice(utf8, Data, "null"u8), Offset ?? 0, Epoch ?? "", From, Ts);

    /// <summary>A copy of a raw JSON value, or <paramref name="absent"/> when the field was not there.</summary>
    public static byte[] Slice(ReadOnlySpan<byte> utf8, Range range, ReadOnlySpan<byte> absent) =>
        range.Equals(default(Range)) ? absent.ToArray() : utf8[range].ToArray();

    private static Field Identify(ref Utf8JsonReader reader)
    {
        foreach (var (name, field) in Names)
        {
            if (reader.ValueTextEquals(name))
            {
                return field;
            }
        }

        return Field.Unknown;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static Range ReadRaw(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    private static CommandId? ReadId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && number > 0)
        {
            return CommandId.FromNumber(number);
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= CommandId.MaxStringLength } text)
        {
            return CommandId.FromText(text);
        }

        reader.Skip();
        return null;
    }

    private void ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var inner = default(MessageFields);
        inner.ReadObject(ref reader, default);
        ErrorCode = inner.Code;
        ErrorMessage = inner.Message;
        ErrorRetryAfterMs = inner.RetryAfterMs;
    }

    private void ReadLimits(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var inner = default(MessageFields);
        inner.ReadObject(ref reader, default);
        CommandsPerSecond = inner.CommandsPerSecond;
        CommandBurst = inner.CommandBurst;
    }

    private static PublisherInfo? ReadFrom(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var inner = default(MessageFields);
        inner.ReadObject(ref reader, default);
        return new PublisherInfo(inner.Client ?? "", inner.User);
    }

    /// <summary>
    /// Reads an array of objects (<c>publications</c>, <c>clients</c>), making each with <paramref name="element"/>;
    /// elements that are not objects are skipped, a value that is not an array counts as absent.
    /// </summary>
    private static List<T>? ReadArray<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, Element<T> element)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var inner = default(MessageFields);
            inner.ReadObject(ref reader, utf8);
            items.Add(element(inner, utf8));
        }

        return items;
    }

    /// <summary>These fields as a presence member (a <c>join</c> or <c>leave</c>, or an element of <c>clients</c>).</summary>
    public readonly PresenceMember ToMember(ReadOnlySpan<byte> utf8) => new(Client ?? "", User, Slice(utf8, Info, "{}"u8));
}

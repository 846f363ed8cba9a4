using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Protocol;

/// <summary>
/// Parses one client message (UTF-8 JSON) into a <see cref="Command"/>. Never throws: every malformed input maps to a
/// documented <see cref="ProtocolError"/>, keeping the id when it can be read so that the client gets its <c>result</c>.
/// </summary>
/// <remarks>Thread safety: stateless, safe to call from many threads.</remarks>
public static class CommandParser
{
    private const int MaxTypeNameLength = 64;
    private const int MaxMethodLength = 255;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Parses a message. The returned command owns copies of any raw JSON it carries.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            return ParseResult.Failure(ProtocolError.BadRequest("message is not valid UTF-8"), null, null);
        }

        var fields = new RawFields();
        try
        {
            ReadFields(utf8, ref fields);
        }
        catch (JsonException)
        {
            return ParseResult.Failure(ProtocolError.BadRequest(fields.NotAnObject ? "message must be a JSON object" : "invalid JSON"), fields.Id, fields.TypeName);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on an escaped lone surrogate ("\ud800"): valid JSON syntax, but no text.
            return ParseResult.Failure(ProtocolError.BadRequest("a string escapes a lone surrogate"), fields.Id, fields.TypeName);
        }

        if (fields.IdError is not null)
        {
            return ParseResult.Failure(ProtocolError.BadRequest(fields.IdError), null, fields.TypeName);
        }

        if (fields.TypeName is null)
        {
            return ParseResult.Failure(ProtocolError.BadRequest(fields.FieldError ?? "missing type"), fields.Id, null);
        }

        if (!TryGetType(fields.TypeName, out var type))
        {
            return ParseResult.Failure(new ProtocolError(ErrorCodes.UnknownType, $"unknown type '{fields.TypeName}'"), fields.Id, fields.TypeName);
        }

        if (fields.FieldError is not null)
        {
            return ParseResult.Failure(ProtocolError.BadRequest(fields.FieldError), fields.Id, fields.TypeName);
        }

        var error = Build(type, utf8, ref fields, out var command);
        return error is null
            ? ParseResult.Success(command!)
            : ParseResult.Failure(ProtocolError.BadRequest(error), fields.Id, fields.TypeName);
    }

    private static string? Build(CommandType type, ReadOnlySpan<byte> utf8, ref RawFields f, out Command? command)
    {
        command = null;
        ChannelPattern? channel = null;
        switch (type)
        {
            case CommandType.Subscribe:
            case CommandType.Unsubscribe:
                if (RequireChannel(f.Channel, allowWildcards: true, out channel) is { } subscribeError)
                {
                    return subscribeError;
                }

                break;
            case CommandType.Publish:
            case CommandType.History:
            case CommandType.Presence:
                if (RequireChannel(f.Channel, allowWildcards: false, out channel) is { } channelError)
                {
                    return channelError;
                }

                if (type == CommandType.Publish && f.DataLength < 0)
                {
                    return "missing data";
                }

                break;
            case CommandType.Rpc:
                if (string.IsNullOrEmpty(f.Method))
                {
                    return "missing method";
                }

                break;
            case CommandType.Refresh:
            case CommandType.Auth:
                if (string.IsNullOrEmpty(f.Token))
                {
                    return "missing token";
                }

                break;
        }

        command = new Command
        {
            Type = type,
            Id = f.Id,
            Channel = channel,
            Data = type == CommandType.Publish ? utf8.Slice(f.DataStart, f.DataLength).ToArray() : default,
            Key = type == CommandType.Publish ? f.Key : null,
            Since = type is CommandType.Subscribe or CommandType.History ? f.Since : null,
            Presence = type == CommandType.Subscribe && f.Presence,
            Limit = type == CommandType.History ? f.Limit : null,
            Method = type == CommandType.Rpc ? f.Method : null,
            Params = type == CommandType.Rpc && f.ParamsLength > 0 ? utf8.Slice(f.ParamsStart, f.ParamsLength).ToArray() : default,
            Token = type is CommandType.Auth or CommandType.Refresh ? f.Token : null,
        };
        return null;
    }

    private static string? RequireChannel(string? value, bool allowWildcards, out ChannelPattern? channel)
    {
        channel = null;
        if (value is null)
        {
            return "missing channel";
        }

        if (ChannelName.Validate(value, allowWildcards) is { } error)
        {
            return error;
        }

        channel = ChannelPattern.Parse(value);
        return null;
    }

    private static bool TryGetType(string name, out CommandType type)
    {
        (var known, type) = name switch
        {
            "subscribe" => (true, CommandType.Subscribe),
            "unsubscribe" => (true, CommandType.Unsubscribe),
            "publish" => (true, CommandType.Publish),
            "history" => (true, CommandType.History),
            "presence" => (true, CommandType.Presence),
            "rpc" => (true, CommandType.Rpc),
            "ping" => (true, CommandType.Ping),
            "pong" => (true, CommandType.Pong),
            "refresh" => (true, CommandType.Refresh),
            "auth" => (true, CommandType.Auth),
            _ => (false, default),
        };
        return known;
    }

    private static void ReadFields(ReadOnlySpan<byte> utf8, ref RawFields f)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            f.NotAnObject = true;
            throw new JsonException();
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader);
            reader.Read();
            if (field == Field.Type)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    var typeName = reader.GetString()!;
                    f.TypeName = typeName.Length <= MaxTypeNameLength ? typeName : typeName[..MaxTypeNameLength];
                }
                else
                {
                    reader.Skip();
                    f.FieldError ??= "type must be a string";
                }
            }
            else if (field == Field.Id)
            {
                ReadId(ref reader, ref f);
            }
            else if (field == Field.Channel)
            {
                f.Channel = ReadString(ref reader, ref f, "channel must be a string");
            }
            else if (field == Field.Data)
            {
                f.DataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                f.DataLength = (int)reader.BytesConsumed - f.DataStart;
            }
            else if (field == Field.Params)
            {
                f.ParamsStart = (int)reader.TokenStartIndex;
                reader.Skip();
                f.ParamsLength = (int)reader.BytesConsumed - f.ParamsStart;
            }
            else if (field == Field.Key)
            {
                f.Key = ReadString(ref reader, ref f, "key must be a string");
                if (f.Key is not null && PublishKey.Validate(f.Key) is { } keyError)
                {
                    f.FieldError ??= keyError;
                }
            }
            else if (field == Field.Method)
            {
                f.Method = ReadString(ref reader, ref f, "method must be a string");
                if (f.Method is { Length: > MaxMethodLength })
                {
                    f.FieldError ??= "method is longer than 255 characters";
                }
            }
            else if (field == Field.Token)
            {
                f.Token = ReadString(ref reader, ref f, "token must be a string");
            }
            else if (field == Field.Presence)
            {
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    f.Presence = reader.GetBoolean();
                }
                else
                {
                    reader.Skip();
                    f.FieldError ??= "presence must be true or false";
                }
            }
            else if (field == Field.Limit)
            {
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var limit) && limit > 0)
                {
                    f.Limit = limit;
                }
                else
                {
                    reader.Skip();
                    f.FieldError ??= "limit must be a positive integer";
                }
            }
            else if (field == Field.Since)
            {
                ReadSince(ref reader, ref f);
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            // Anything after the top-level object (e.g. two objects in one frame) is not one message.
            throw new JsonException();
        }
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        // ValueTextEquals compares the unescaped name, so "\u0074ype" is "type" as JSON says.
        foreach (var (name, field) in FieldNames)
        {
            if (reader.ValueTextEquals(name))
            {
                return field;
            }
        }

        return Field.Unknown;
    }

    private static readonly (byte[] Name, Field Field)[] FieldNames =
    [
        ("type"u8.ToArray(), Field.Type), ("id"u8.ToArray(), Field.Id), ("channel"u8.ToArray(), Field.Channel),
        ("data"u8.ToArray(), Field.Data), ("params"u8.ToArray(), Field.Params), ("key"u8.ToArray(), Field.Key),
        ("method"u8.ToArray(), Field.Method), ("token"u8.ToArray(), Field.Token), ("presence"u8.ToArray(), Field.Presence),
        ("limit"u8.ToArray(), Field.Limit), ("since"u8.ToArray(), Field.Since),
    ];

    private enum Field
    {
        Unknown, Type, Id, Channel, Data, Params, Key, Method, Token, Presence, Limit, Since,
    }

    private static string? ReadString(ref Utf8JsonReader reader, ref RawFields f, string error)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        f.FieldError ??= error;
        return null;
    }

    private static void ReadId(ref Utf8JsonReader reader, ref RawFields f)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && number > 0)
        {
            f.Id = CommandId.FromNumber(number);
        }
        else if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= CommandId.MaxStringLength } text)
        {
            f.Id = CommandId.FromText(text);
        }
        else
        {
            reader.Skip();
            f.IdError = "id must be a positive integer or a string of 1-64 characters";
        }
    }

    private static void ReadSince(ref Utf8JsonReader reader, ref RawFields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            f.FieldError ??= "since must be an object with offset and epoch";
            return;
        }

        long? offset = null;
        string? epoch = null;
        var valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isOffset = reader.ValueTextEquals("offset"u8);
            var isEpoch = reader.ValueTextEquals("epoch"u8);
            reader.Read();
            if (isOffset && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0)
            {
                offset = value;
            }
            else if (isEpoch && reader.TokenType == JsonTokenType.String)
            {
                epoch = reader.GetString();
            }
            else
            {
                valid &= !(isOffset || isEpoch);
                reader.Skip();
            }
        }

        if (valid && offset is not null && epoch is not null)
        {
            f.Since = new StreamPosition(offset.Value, epoch);
        }
        else
        {
            f.FieldError ??= "since must be an object with a non-negative integer offset and a string epoch";
        }
    }

    /// <summary>What the single pass over the message collected, before any per-type validation.</summary>
    private struct RawFields
    {
        public RawFields()
        {
        }

        public bool NotAnObject;
        public string? TypeName;
        public CommandId? Id;
        public string? IdError;
        public string? FieldError;
        public string? Channel;
        public int DataStart;
        public int DataLength = -1;
        public int ParamsStart;
        public int ParamsLength;
        public string? Key;
        public string? Method;
        public string? Token;
        public bool Presence;
        public int? Limit;
        public StreamPosition? Since;
    }
}

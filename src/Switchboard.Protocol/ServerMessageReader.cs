namespace Switchboard.Protocol;

/// <summary>
/// Decodes server messages of protocol v1: the client's side of <see cref="MessageWriter"/>. Forward compatible:
/// unknown fields are ignored and an unknown <c>type</c> is <see cref="ServerMessageType.Unknown"/>.
/// </summary>
/// <remarks>Thread safety: stateless, safe to call from many threads.</remarks>
public static class ServerMessageReader
{
    /// <summary>
    /// Decodes one message. Returns <see langword="null"/> when <paramref name="utf8"/> is not a JSON object with a
    /// string <c>type</c>. The message owns copies of the raw JSON it carries, so the buffer may be reused at once.
    /// </summary>
    public static ServerMessage? Read(ReadOnlySpan<byte> utf8)
    {
        if (!MessageFields.TryRead(utf8, out var f) || f.Type is not { } typeName)
        {
            return null;
        }

        var type = TypeOf(typeName);
        return type switch
        {
            ServerMessageType.Result => new ServerMessage
            {
                Type = type,
                TypeName = typeName,
                Id = f.Id,
                Success = f.Success,
                Result = f.Success ? MessageFields.Slice(utf8, f.Result, "{}"u8) : default,
                Error = f.Success ? null : new ProtocolError(f.ErrorCode ?? ErrorCodes.Internal, f.ErrorMessage ?? "") { RetryAfterMs = f.ErrorRetryAfterMs },
            },
            ServerMessageType.Error => new ServerMessage
            {
                Type = type,
                TypeName = typeName,
                Error = new ProtocolError(f.Code ?? ErrorCodes.Internal, f.Message ?? "") { RetryAfterMs = f.RetryAfterMs },
                Ref = f.Ref,
            },
            ServerMessageType.Message => new ServerMessage { Type = type, TypeName = typeName, Publication = f.ToPublication(utf8, "") },
            ServerMessageType.Join or ServerMessageType.Leave => new ServerMessage { Type = type, TypeName = typeName, Channel = f.Channel, Member = f.ToMember(utf8) },
            ServerMessageType.Welcome => new ServerMessage
            {
                Type = type,
                TypeName = typeName,
                Client = f.Client,
                User = f.User,
                Node = f.Node,
                PingSeconds = f.Ping,
                Version = f.Version,
                CommandsPerSecond = f.CommandsPerSecond,
                CommandBurst = f.CommandBurst,
                Data = f.Data.Equals(default(Range)) ? default : MessageFields.Slice(utf8, f.Data, default),
            },
            ServerMessageType.Unsubscribe => new ServerMessage { Type = type, TypeName = typeName, Channel = f.Channel, Reason = f.Reason, Resubscribe = f.Resubscribe },
            ServerMessageType.Pong => new ServerMessage { Type = type, TypeName = typeName, Id = f.Id },
            ServerMessageType.AuthInvalid => new ServerMessage { Type = type, TypeName = typeName, Message = f.Message },
            _ => new ServerMessage { Type = type, TypeName = typeName },
        };
    }

    private static ServerMessageType TypeOf(string name) => name switch
    {
        "welcome" => ServerMessageType.Welcome,
        "result" => ServerMessageType.Result,
        "error" => ServerMessageType.Error,
        "message" => ServerMessageType.Message,
        "ping" => ServerMessageType.Ping,
        "pong" => ServerMessageType.Pong,
        "join" => ServerMessageType.Join,
        "leave" => ServerMessageType.Leave,
        "auth_required" => ServerMessageType.AuthRequired,
        "auth_ok" => ServerMessageType.AuthOk,
        "auth_invalid" => ServerMessageType.AuthInvalid,
        "token_expiring" => ServerMessageType.TokenExpiring,
        "unsubscribe" => ServerMessageType.Unsubscribe,
        _ => ServerMessageType.Unknown,
    };
}

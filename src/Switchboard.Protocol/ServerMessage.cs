namespace Switchboard.Protocol;

/// <summary>The messages a server sends.</summary>
public enum ServerMessageType
{
    /// <summary>A <c>type</c> this library does not know: ignore it (newer servers may add types).</summary>
    Unknown,
    /// <summary><c>welcome</c>: the first message of an accepted connection.</summary>
    Welcome,
    /// <summary><c>result</c>: the reply to a command with an <c>id</c>.</summary>
    Result,
    /// <summary><c>error</c>: a failure not tied to an <c>id</c>.</summary>
    Error,
    /// <summary><c>message</c>: a publication, or a server send (without offset and epoch).</summary>
    Message,
    /// <summary><c>ping</c>: answer with <c>pong</c>.</summary>
    Ping,
    /// <summary><c>pong</c>: the answer to a client <c>ping</c>.</summary>
    Pong,
    /// <summary><c>join</c>: another client subscribed to a channel subscribed with presence.</summary>
    Join,
    /// <summary><c>leave</c>: another client left such a channel.</summary>
    Leave,
    /// <summary><c>auth_required</c>: send <c>auth</c> with a token.</summary>
    AuthRequired,
    /// <summary><c>auth_ok</c>: the <c>auth</c> token was accepted.</summary>
    AuthOk,
    /// <summary><c>auth_invalid</c>: the <c>auth</c> token was refused; the server closes with 1008.</summary>
    AuthInvalid,
    /// <summary><c>token_expiring</c>: send <c>refresh</c> with a new token.</summary>
    TokenExpiring,
    /// <summary><c>unsubscribe</c>: the server ended a subscription (the gap notice: <c>reason</c>
    /// <c>insufficient_state</c>, <c>resubscribe</c> true: subscribe again with <c>since</c>).</summary>
    Unsubscribe,
}

/// <summary>
/// One decoded server message (the client's side of <see cref="MessageWriter"/>). Fields not used by its
/// <see cref="Type"/> are left empty.
/// </summary>
/// <remarks>Thread safety: immutable after reading.</remarks>
public sealed class ServerMessage
{
    /// <summary>The message's type.</summary>
    public required ServerMessageType Type { get; init; }

    /// <summary>The <c>type</c> as sent (also for <see cref="ServerMessageType.Unknown"/>).</summary>
    public required string TypeName { get; init; }

    /// <summary>The <c>id</c> of the command answered (<c>result</c>, <c>pong</c>).</summary>
    public CommandId? Id { get; init; }

    /// <summary>Whether a <c>result</c> reports success.</summary>
    public bool Success { get; init; }

    /// <summary>The raw JSON of a successful <c>result</c>'s <c>result</c> (read it with <see cref="ReplyReader"/>).</summary>
    public ReadOnlyMemory<byte> Result { get; init; }

    /// <summary>The error of a failed <c>result</c> or of an <c>error</c> message.</summary>
    public ProtocolError? Error { get; init; }

    /// <summary>The <c>ref</c> of an <c>error</c>: the type of the command it answers, when known.</summary>
    public string? Ref { get; init; }

    /// <summary>The publication of a <c>message</c>. A server send has offset 0 and an empty epoch.</summary>
    public Publication? Publication { get; init; }

    /// <summary>The <c>reason</c> of an <c>unsubscribe</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether an <c>unsubscribe</c> asks the client to subscribe again (with <c>since</c>).</summary>
    public bool Resubscribe { get; init; }

    /// <summary>The channel of a <c>join</c>, <c>leave</c> or <c>unsubscribe</c>.</summary>
    public string? Channel { get; init; }

    /// <summary>The client that joined or left.</summary>
    public PresenceMember? Member { get; init; }

    /// <summary>The connection id in <c>welcome</c>.</summary>
    public string? Client { get; init; }

    /// <summary>The authenticated user in <c>welcome</c>, <see langword="null"/> when anonymous.</summary>
    public string? User { get; init; }

    /// <summary>The server node's id in <c>welcome</c>.</summary>
    public string? Node { get; init; }

    /// <summary>The heartbeat interval in seconds in <c>welcome</c>.</summary>
    public int PingSeconds { get; init; }

    /// <summary>The protocol version in <c>welcome</c>.</summary>
    public int Version { get; init; }

    /// <summary>The connection's command rate (<c>limits.commands_per_second</c> in <c>welcome</c>); 0 when not limited.</summary>
    public int CommandsPerSecond { get; init; }

    /// <summary>The connection's command burst (<c>limits.command_burst</c> in <c>welcome</c>); 0 when not limited.</summary>
    public int CommandBurst { get; init; }

    /// <summary>
    /// The raw JSON of <c>welcome</c>'s <c>data</c>: what the application's backend said about the connection when it
    /// let it in (docs/proxy.md). Empty when absent.
    /// </summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The message of <c>auth_invalid</c>.</summary>
    public string? Message { get; init; }
}

/// <summary>A subscriber of a channel: an entry of a <c>presence</c> result, or who a <c>join</c> or <c>leave</c> is about.</summary>
/// <param name="Client">The connection id.</param>
/// <param name="User">The user id, or <see langword="null"/> when anonymous.</param>
/// <param name="Info">The raw JSON of <c>info</c> (an object, <c>{}</c> for none).</param>
public sealed record PresenceMember(string Client, string? User, ReadOnlyMemory<byte> Info);

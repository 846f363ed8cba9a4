using System.Text.Json;

namespace Switchboard.Server.Handlers;

/// <summary>
/// The base of an application that speaks its own JSON protocol over Switchboard's connection core: override the
/// connect / message / disconnect callbacks, declare routes by message type in <see cref="Configure"/>, and reach
/// groups, users, roles or everyone through <see cref="Clients"/>. Map it with
/// <c>app.MapSwitchboardHandler&lt;THandler&gt;("/chat/{room_id}")</c>.
/// </summary>
/// <remarks>
/// One instance serves every connection of its endpoints (it is created once, from DI, when mapped), so state shared by
/// connections lives in its fields and must be thread safe. The callbacks of one connection are called one at a time,
/// in the order its messages arrived; different connections run in parallel. A callback that throws gets the
/// connection an error reply (<see cref="HandlerErrorKind.Failed"/>) and the connection lives on.
/// </remarks>
public abstract class SwitchboardHandler
{
    /// <summary>Everyone, a group, a user or a role of this handler, on every node. Set before <see cref="Configure"/>.</summary>
    public HandlerClients Clients { get; internal set; } = null!;

    /// <summary>Declares the routes and settings of the handler. Called once, when it is mapped.</summary>
    public virtual void Configure(HandlerOptions options)
    {
    }

    /// <summary>Called when a client has connected (and authenticated), before its first message is handled.</summary>
    public virtual ValueTask OnConnectedAsync(HandlerConnection connection) => ValueTask.CompletedTask;

    /// <summary>
    /// Called for a message whose type has no route (<see cref="HandlerOptions.On{TMessage}"/>). The default answers
    /// with the <see cref="HandlerErrorKind.UnknownType"/> error.
    /// </summary>
    public virtual ValueTask OnMessageAsync(HandlerConnection connection, HandlerMessage message)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.SendError(new HandlerError(HandlerErrorKind.UnknownType, "Unknown message type", message));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Called once when the connection has ended (the client left, was closed, or the server is draining), while
    /// <see cref="HandlerConnection.Groups"/> still lists its groups; it leaves them after this returns. Sends to the
    /// connection itself are dropped by now; broadcasts to others work.
    /// </summary>
    public virtual ValueTask OnDisconnectedAsync(HandlerConnection connection) => ValueTask.CompletedTask;

    /// <summary>
    /// With <see cref="HandlerAuthentication.FirstMessage"/>: checks the client's first message, before the connection
    /// starts. Validate a JWT with <see cref="HandlerAuthContext.ValidateTokenAsync"/>, or check the application's own
    /// credentials. The default refuses everyone.
    /// </summary>
    public virtual ValueTask<HandlerAuthResult> AuthenticateAsync(HandlerAuthContext context) =>
        ValueTask.FromResult(HandlerAuthResult.Reject("authentication is not implemented"));

    /// <summary>
    /// Writes the application's error reply to <paramref name="connection"/>: bad JSON, an unknown type, a message that
    /// does not deserialize, a rate-limit refusal, a reached limit, a failed callback, or <see cref="HandlerConnection.SendError(string)"/>.
    /// The default sends <c>{"type":"error","message":...}</c> (with the configured type property). The connection
    /// lives on either way.
    /// </summary>
    public virtual void OnError(HandlerConnection connection, HandlerError error)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(error);
        connection.Send(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString(connection.TypeProperty, "error");
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        });
    }
}

/// <summary>Why a message got an error reply.</summary>
public enum HandlerErrorKind
{
    /// <summary>The message is not valid JSON, or not a JSON object.</summary>
    InvalidJson,

    /// <summary>The message has no type, or a type with no route (from the default <see cref="SwitchboardHandler.OnMessageAsync"/>).</summary>
    UnknownType,

    /// <summary>The message did not deserialize into its route's type.</summary>
    InvalidMessage,

    /// <summary>The connection sent more messages than the handler's rate limit allows; the message was not handled.</summary>
    RateLimited,

    /// <summary>A callback threw (details are in the server log, never on the wire), or the broker is unavailable.</summary>
    Failed,

    /// <summary>The application's own error, sent with <see cref="HandlerConnection.SendError(string)"/>.</summary>
    Application,

    /// <summary>
    /// A limit of the connection was reached: a join past <c>Switchboard:MaxSubscriptionsPerConnection</c> groups
    /// (<see cref="GroupLimitExceededException"/> left uncaught by the callback). The message was not handled further.
    /// </summary>
    LimitExceeded,
}

/// <summary>An error to answer a client with, in the application's format (<see cref="SwitchboardHandler.OnError"/>).</summary>
/// <param name="Kind">Why.</param>
/// <param name="Message">A short text that says what was wrong (never a stack trace or a secret).</param>
/// <param name="Request">The message the error answers, when it was valid JSON (for example to echo its <c>id</c>); valid only during the call.</param>
public sealed record HandlerError(HandlerErrorKind Kind, string Message, HandlerMessage? Request = null);

/// <summary>The message a handler receives.</summary>
/// <remarks>Valid only during the callback it is passed to: the bytes are the connection's receive buffer. Use
/// <see cref="JsonElement.Clone"/> or deserialize what must outlive it.</remarks>
public sealed class HandlerMessage
{
    private readonly ReadOnlyMemory<byte> _raw;
    private JsonDocument? _document;

    internal HandlerMessage(ReadOnlyMemory<byte> raw, string? type)
    {
        _raw = raw;
        Type = type;
    }

    /// <summary>The value of the type property, or <see langword="null"/> when it has none.</summary>
    public string? Type { get; }

    /// <summary>The message as received (UTF-8 JSON).</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>The message as a JSON object, parsed on first use.</summary>
    public JsonElement Json => (_document ??= JsonDocument.Parse(_raw)).RootElement;

    /// <summary>Deserializes the message with source-generated metadata. Throws <see cref="JsonException"/> when it does not fit.</summary>
    public T? Deserialize<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(_raw.Span, typeInfo);

    internal void Release()
    {
        _document?.Dispose();
        _document = null;
    }
}

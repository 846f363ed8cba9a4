using System.Text.Json.Serialization.Metadata;
using System.Threading.RateLimiting;

namespace Switchboard.Server.Handlers;

/// <summary>How a handler authenticates its connections.</summary>
public enum HandlerAuthentication
{
    /// <summary>
    /// A token in the upgrade request (<c>?token=</c> or <c>Authorization: Bearer</c>) is validated when the server has
    /// keys (<c>Switchboard:Auth</c>), and an invalid one is closed with 1008; without a token the client is anonymous.
    /// </summary>
    Optional,

    /// <summary>As <see cref="Optional"/>, but a connection without a valid token is closed with 1008. Needs <c>Switchboard:Auth</c> keys.</summary>
    Required,

    /// <summary>
    /// The client's first message authenticates it: the server sends <see cref="HandlerOptions.AuthenticationPrompt"/>
    /// (if any), waits for one message within <c>Switchboard:Auth:AuthTimeout</c>, and calls
    /// <see cref="SwitchboardHandler.AuthenticateAsync"/>. A token in the request is ignored.
    /// </summary>
    FirstMessage,
}

/// <summary>How a handler's connections are kept alive and a dead client detected.</summary>
public enum HandlerHeartbeat
{
    /// <summary>
    /// WebSocket ping frames every <c>Switchboard:PingInterval</c>, answered by the client's WebSocket library without
    /// any application code; no pong within <c>Switchboard:PongTimeout</c> ends the connection. For clients that never
    /// send a JSON ping (browsers, Python <c>websockets</c>). The default.
    /// </summary>
    WebSocketPing,

    /// <summary>
    /// <see cref="HandlerOptions.PingMessage"/> after <c>Switchboard:PingInterval</c> of silence; a client silent past
    /// <c>Switchboard:PongTimeout</c> after it is closed with 4002. Any message from the client counts as an answer.
    /// </summary>
    JsonPing,

    /// <summary>No heartbeat: a dead client is found only by TCP.</summary>
    None,
}

/// <summary>The routes and settings of a <see cref="SwitchboardHandler"/>, set in <see cref="SwitchboardHandler.Configure"/> or when mapped.</summary>
/// <remarks>Thread safety: configure before the application starts; read-only afterwards.</remarks>
public sealed class HandlerOptions
{
    private readonly Dictionary<string, HandlerRoute> _routes = new(StringComparer.Ordinal);

    /// <summary>The property of a message that names its type and selects its route. Default <c>type</c>.</summary>
    public string TypeProperty { get; set; } = "type";

    /// <summary>The heartbeat. Default <see cref="HandlerHeartbeat.WebSocketPing"/>.</summary>
    public HandlerHeartbeat Heartbeat { get; set; } = HandlerHeartbeat.WebSocketPing;

    /// <summary>With <see cref="HandlerHeartbeat.JsonPing"/>: the ping message (raw JSON). Default <c>{"type":"ping"}</c> with the type property.</summary>
    public string? PingMessage { get; set; }

    /// <summary>How connections authenticate. Default <see cref="HandlerAuthentication.Optional"/>.</summary>
    public HandlerAuthentication Authentication { get; set; } = HandlerAuthentication.Optional;

    /// <summary>With <see cref="HandlerAuthentication.FirstMessage"/>: the message (raw JSON) sent before waiting for the client's first, or <see langword="null"/> for none.</summary>
    public string? AuthenticationPrompt { get; set; }

    /// <summary>The reason of the 1008 close for a missing or invalid token in the request; <see langword="null"/> says what was wrong (e.g. <c>token expired</c>).</summary>
    public string? TokenRejectedReason { get; set; }

    /// <summary>
    /// Creates one connection's message rate limiter (System.Threading.RateLimiting), or <see langword="null"/> for no
    /// limit (the default). A refused message is not handled and gets the <see cref="HandlerErrorKind.RateLimited"/>
    /// error. Create replenishing limiters with <c>AutoReplenishment = false</c>: they are replenished on demand, without
    /// a timer per connection.
    /// </summary>
    public Func<RateLimiter>? RateLimiter { get; set; }

    internal IReadOnlyDictionary<string, HandlerRoute> Routes => _routes;

    /// <summary>
    /// Routes messages whose type is <paramref name="type"/> to <paramref name="handle"/>, deserialized with the
    /// source-generated <paramref name="typeInfo"/>. A message that does not deserialize gets the
    /// <see cref="HandlerErrorKind.InvalidMessage"/> error. A second route for the same type replaces the first.
    /// </summary>
    /// <returns>These options, for chaining.</returns>
    public HandlerOptions On<TMessage>(string type, JsonTypeInfo<TMessage> typeInfo, Func<HandlerConnection, TMessage, ValueTask> handle)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handle);
        _routes[type] = new HandlerRoute((connection, message) =>
        {
            TMessage value;
            try
            {
                value = message.Deserialize(typeInfo) ?? throw new System.Text.Json.JsonException("the message is null");
            }
            catch (System.Text.Json.JsonException ex)
            {
                // Told apart from a JsonException of the application's own code, which is a failure, not a bad message.
                throw new Internal.InvalidHandlerMessageException(ex);
            }

            return handle(connection, value);
        });
        return this;
    }

    /// <summary>Routes messages whose type is <paramref name="type"/> to <paramref name="handle"/>, which reads the message as it is.</summary>
    /// <returns>These options, for chaining.</returns>
    public HandlerOptions On(string type, Func<HandlerConnection, HandlerMessage, ValueTask> handle)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(handle);
        _routes[type] = new HandlerRoute(handle);
        return this;
    }
}

/// <summary>One route: what runs for one message type.</summary>
internal sealed record HandlerRoute(Func<HandlerConnection, HandlerMessage, ValueTask> Handle);

using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// What Cliffracer's <c>WebSocketMixin</c> gives every endpoint of seed 002, shared by the sample's handlers: the hello
/// <c>{"type":"connection","message":"Connected to notification service"}</c> as a connection's first message, the
/// JSON heartbeat's messages from clients (<c>pong</c> is taken without an answer, a client's own <c>ping</c> is answered
/// with <c>pong</c>), the seed's per-connection rate limit, and handing each connection to <see cref="JsonHeartbeat"/>
/// (the seed's <c>_websocket_clients</c>).
/// </summary>
/// <remarks>Thread safety: one instance serves every connection of both handlers; all members may be called at once.</remarks>
public sealed class WebSocketMixin(IOptions<LiveUpdatesOptions> options, JsonHeartbeat heartbeat)
{
    private static readonly byte[] Hello = JsonSerializer.SerializeToUtf8Bytes(
        new TextMessage("connection", "Connected to notification service"), LiveJsonContext.Default.TextMessage);

    private static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    private readonly int _messagesPerMinute = options.Value.MessagesPerMinute;

    /// <summary>Adds the mixin's rate limit and heartbeat routes to a handler's options.</summary>
    public void Configure(HandlerOptions handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var limit = _messagesPerMinute;
        handler.RateLimiter = () => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = false,
        });

        // The seed records a pong as the client's last sighting, which nothing reads: a dead client is found by the
        // WebSocket pings Switchboard sends besides (the seed's own clients never answer a JSON ping).
        handler
            .On("pong", static (_, _) => ValueTask.CompletedTask)
            .On("ping", static (connection, _) =>
            {
                connection.Send(Pong);
                return ValueTask.CompletedTask;
            });
    }

    /// <summary>Greets a new connection with the hello and starts its heartbeat.</summary>
    public void Connected(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Send(Hello);
        heartbeat.Watch(connection);
    }

    /// <summary>Ends an ended connection's heartbeat.</summary>
    public void Disconnected(HandlerConnection connection) => heartbeat.Forget(connection);
}

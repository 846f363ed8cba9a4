using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// The seed's <c>ChatService</c> at <c>ws /chat/{room_id}</c>: after the mixin's hello a client is in the room, and
/// the others there get <c>{"type":"user_joined","message":"User joined room ROOM"}</c>; a
/// <c>{"type":"message","message":TEXT}</c> goes to the whole room, the sender included, as
/// <c>{"type":"message","user","message","timestamp"}</c>; when a client leaves, the rest get <c>user_left</c>. A token
/// is optional: with one, <c>user</c> is its username, without one the message's <c>user</c> or "Anonymous", as in the
/// seed. Rooms are Switchboard groups, so with Redis a room spans every node.
/// </summary>
public sealed class ChatRoomHandler(WebSocketMixin mixin) : SwitchboardHandler
{
    /// <summary>The route parameter that names the room.</summary>
    public const string RoomParameter = "room_id";

    public override void Configure(HandlerOptions options)
    {
        options.TokenRejectedReason = "Invalid token";
        mixin.Configure(options);
        options.On("message", LiveJsonContext.Default.ChatRequest, BroadcastAsync);
    }

    public override async ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        mixin.Connected(connection);
        var room = Room(connection);
        await connection.JoinGroupAsync(room);
        await Clients.Group(room).Except(connection).SendAsync(new TextMessage("user_joined", $"User joined room {room}"), LiveJsonContext.Default.TextMessage);
    }

    public override async ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        mixin.Disconnected(connection);
        await Clients.Group(Room(connection)).SendAsync(new TextMessage("user_left", "User left the room"), LiveJsonContext.Default.TextMessage);
    }

    private async ValueTask BroadcastAsync(HandlerConnection connection, ChatRequest request)
    {
        if (request.Message is null)
        {
            connection.SendError("a chat message needs \"message\": the text to send");
            return;
        }

        // A token's username wins over the message's "user": a signed-in client cannot speak as someone else.
        var user = LiveUser.From(connection)?.Username ?? request.User ?? "Anonymous";
        await Clients.Group(Room(connection)).SendAsync(new ChatLine("message", user, request.Message, DateTimeOffset.UtcNow), LiveJsonContext.Default.ChatLine);
    }

    // The route template (/chat/{room_id:length(1,100)}) guarantees the value.
    private static string Room(HandlerConnection connection) => connection.RouteValues[RoomParameter];
}

using Switchboard.Server.Handlers;

namespace ChatRooms;

/// <summary>
/// The chat of seed 004 at <c>ws /ws</c>: a welcome, rooms to join and leave, messages to a room (the sender
/// included), <c>user_joined</c> and <c>user_left</c> to the room (also when a member disconnects), and
/// <c>{"type":"error","message":"Unknown message type"}</c> for anything else. Every connection starts in the room
/// <c>--ChatRooms:DefaultRoom</c> (default <c>general</c>, empty for none), because the seed's page chats there
/// without joining it. Rooms are Switchboard groups: with Redis they span every node.
/// </summary>
public sealed class ChatHandler(IConfiguration configuration) : SwitchboardHandler
{
    private readonly string? _defaultRoom = configuration["ChatRooms:DefaultRoom"] is { } room ? room : "general";

    public override void Configure(HandlerOptions options) => options
        .On("join_room", ChatJsonContext.Default.RoomRequest, JoinAsync)
        .On("leave_room", ChatJsonContext.Default.RoomRequest, LeaveAsync)
        .On("chat_message", ChatJsonContext.Default.RoomRequest, ChatAsync);

    public override async ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        var message = connection.UserId is { } user ? $"Welcome, {user}!" : "Welcome to the chat!";
        connection.Send(new Welcome("welcome", connection.Id, message, connection.UserId), ChatJsonContext.Default.Welcome);
        if (!string.IsNullOrEmpty(_defaultRoom))
        {
            await JoinAsync(connection, new RoomRequest(_defaultRoom, null), reply: false);
        }
    }

    public override async ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        foreach (var room in connection.Groups)
        {
            await Clients.Group(room).SendAsync(new RoomEvent("user_left", connection.Id, room), ChatJsonContext.Default.RoomEvent);
        }
    }

    private ValueTask JoinAsync(HandlerConnection connection, RoomRequest request) => JoinAsync(connection, request, reply: true);

    private async ValueTask JoinAsync(HandlerConnection connection, RoomRequest request, bool reply)
    {
        if (RoomOf(connection, request) is not { } room)
        {
            return;
        }

        var joined = await connection.JoinGroupAsync(room);
        if (reply)
        {
            connection.Send(new RoomReply("room_joined", room), ChatJsonContext.Default.RoomReply);
        }

        if (joined)
        {
            await Clients.Group(room).SendAsync(new RoomEvent("user_joined", connection.Id, room), ChatJsonContext.Default.RoomEvent);
        }
    }

    private async ValueTask LeaveAsync(HandlerConnection connection, RoomRequest request)
    {
        if (RoomOf(connection, request) is not { } room)
        {
            return;
        }

        if (!await connection.LeaveGroupAsync(room))
        {
            connection.SendError($"Not in room {room}");
            return;
        }

        connection.Send(new RoomReply("room_left", room), ChatJsonContext.Default.RoomReply);
        await Clients.Group(room).SendAsync(new RoomEvent("user_left", connection.Id, room), ChatJsonContext.Default.RoomEvent);
    }

    private async ValueTask ChatAsync(HandlerConnection connection, RoomRequest request)
    {
        if (RoomOf(connection, request) is not { } room)
        {
            return;
        }

        if (string.IsNullOrEmpty(request.Message))
        {
            connection.SendError("message is required");
        }
        else if (!connection.Groups.Contains(room))
        {
            connection.SendError($"Join room {room} first");
        }
        else
        {
            await Clients.Group(room).SendAsync(new ChatMessage("chat_message", connection.Id, room, request.Message), ChatJsonContext.Default.ChatMessage);
        }
    }

    private static string? RoomOf(HandlerConnection connection, RoomRequest request)
    {
        if (request.Room is { Length: > 0 and <= 100 } room)
        {
            return room;
        }

        connection.SendError("room must be a name of 1 to 100 characters");
        return null;
    }
}

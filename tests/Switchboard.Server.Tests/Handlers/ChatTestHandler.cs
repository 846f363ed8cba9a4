using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Switchboard.Server.Handlers;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>Client messages of the test chat protocol (seed 004's shape, plus what the tests need to reach every audience).</summary>
public sealed record RoomRequest(string Room);

public sealed record ChatRequest(string Room, string Message);

public sealed record TargetRequest(string Target, string Message);

public sealed record CloseRequest(int Code, string Reason);

/// <summary>Server messages of the test chat protocol.</summary>
public sealed record WelcomeMessage(string Type, string ConnectionId, string? UserId, string? RoomId, string Message);

public sealed record RoomMessage(string Type, string Room);

public sealed record MemberMessage(string Type, string ConnectionId, string Room);

public sealed record ChatBroadcast(string Type, string ConnectionId, string Room, string Message);

public sealed record Notice(string Type, string Message);

public sealed record WhoAmI(string Type, string ConnectionId, string? UserId, string? Username, string[] Roles, string? RoomId, string? Query, string[] Groups);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(TargetRequest))]
[JsonSerializable(typeof(CloseRequest))]
[JsonSerializable(typeof(WelcomeMessage))]
[JsonSerializable(typeof(RoomMessage))]
[JsonSerializable(typeof(MemberMessage))]
[JsonSerializable(typeof(ChatBroadcast))]
[JsonSerializable(typeof(Notice))]
[JsonSerializable(typeof(WhoAmI))]
public sealed partial class ChatJson : JsonSerializerContext;

/// <summary>
/// The chat rooms of seed 004 written on the handler API, with a few extra message types that reach every audience:
/// <c>shout</c> (a group without the sender), <c>to_user</c>, <c>to_role</c>, <c>to_all</c>, <c>whoami</c>,
/// <c>fail</c> (throws) and <c>close</c>.
/// </summary>
public sealed class ChatTestHandler : SwitchboardHandler
{
    /// <summary>Ids of the connections whose OnDisconnectedAsync ran, in order.</summary>
    public Channel<string> Disconnected { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Each disconnected connection's id and whether its <see cref="HandlerConnection.Aborted"/>, read then, was cancelled.</summary>
    public Channel<(string Id, bool Cancelled)> AbortedAtDisconnect { get; } = Channel.CreateUnbounded<(string, bool)>();

    /// <summary>Ids of the connections whose <see cref="HandlerConnection.Aborted"/>, watched by <c>watch_aborted</c>, fired.</summary>
    public Channel<string> AbortedFired { get; } = Channel.CreateUnbounded<string>();

    public override void Configure(HandlerOptions options)
    {
        options
            .On("join_room", ChatJson.Default.RoomRequest, JoinAsync)
            .On("leave_room", ChatJson.Default.RoomRequest, LeaveAsync)
            .On("chat_message", ChatJson.Default.ChatRequest, (c, m) => ChatAsync(c, m, exceptSender: false))
            .On("shout", ChatJson.Default.ChatRequest, (c, m) => ChatAsync(c, m, exceptSender: true))
            .On("to_user", ChatJson.Default.TargetRequest, (c, m) => Clients.User(m.Target).SendAsync(new Notice("notice", m.Message), ChatJson.Default.Notice))
            .On("to_role", ChatJson.Default.TargetRequest, (c, m) => Clients.Role(m.Target).SendAsync(new Notice("notice", m.Message), ChatJson.Default.Notice))
            .On("to_all", ChatJson.Default.TargetRequest, (c, m) => Clients.All.SendAsync(new Notice("notice", m.Message), ChatJson.Default.Notice))
            .On("whoami", WhoAmIAsync)
            .On("fail", (_, _) => throw new InvalidOperationException("secret internal detail"))
            .On("deny", (c, _) =>
            {
                c.SendError("Insufficient permissions");
                return ValueTask.CompletedTask;
            })
            .On("watch_aborted", (c, _) =>
            {
                var aborted = c.Aborted;
                aborted.Register(() => AbortedFired.Writer.TryWrite(c.Id));
                c.Send(new Notice("notice", aborted.IsCancellationRequested ? "aborted" : "open"), ChatJson.Default.Notice);
                return ValueTask.CompletedTask;
            })
            .On("close", ChatJson.Default.CloseRequest, (c, m) =>
            {
                c.Close(m.Code, m.Reason);
                return ValueTask.CompletedTask;
            });
    }

    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        connection.RouteValues.TryGetValue("room_id", out var room);
        connection.Send(new WelcomeMessage("welcome", connection.Id, connection.UserId, room, "Welcome to the chat!"), ChatJson.Default.WelcomeMessage);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        foreach (var room in connection.Groups)
        {
            await Clients.Group(room).Except(connection).SendAsync(new MemberMessage("user_left", connection.Id, room), ChatJson.Default.MemberMessage);
        }

        Disconnected.Writer.TryWrite(connection.Id);
        AbortedAtDisconnect.Writer.TryWrite((connection.Id, connection.Aborted.IsCancellationRequested));
    }

    private async ValueTask JoinAsync(HandlerConnection connection, RoomRequest request)
    {
        await connection.JoinGroupAsync(request.Room);
        connection.Send(new RoomMessage("room_joined", request.Room), ChatJson.Default.RoomMessage);
        await Clients.Group(request.Room).SendAsync(new MemberMessage("user_joined", connection.Id, request.Room), ChatJson.Default.MemberMessage);
    }

    private async ValueTask LeaveAsync(HandlerConnection connection, RoomRequest request)
    {
        if (await connection.LeaveGroupAsync(request.Room))
        {
            connection.Send(new RoomMessage("room_left", request.Room), ChatJson.Default.RoomMessage);
            await Clients.Group(request.Room).SendAsync(new MemberMessage("user_left", connection.Id, request.Room), ChatJson.Default.MemberMessage);
        }
    }

    private async ValueTask ChatAsync(HandlerConnection connection, ChatRequest request, bool exceptSender)
    {
        if (!connection.Groups.Contains(request.Room))
        {
            connection.SendError("Not in room");
            return;
        }

        var target = Clients.Group(request.Room);
        await (exceptSender ? target.Except(connection) : target).SendAsync(new ChatBroadcast("chat_message", connection.Id, request.Room, request.Message), ChatJson.Default.ChatBroadcast);
    }

    private static ValueTask WhoAmIAsync(HandlerConnection connection, HandlerMessage message)
    {
        connection.RouteValues.TryGetValue("room_id", out var room);
        var claims = connection.User.Claims;
        var username = claims.ValueKind == JsonValueKind.Object && claims.TryGetProperty("username", out var name) ? name.GetString() : null;
        connection.Send(
            new WhoAmI("you", connection.Id, connection.UserId, username, [.. connection.User.Roles], room, connection.Query["q"].ToString(), [.. connection.Groups]),
            ChatJson.Default.WhoAmI);
        return ValueTask.CompletedTask;
    }
}

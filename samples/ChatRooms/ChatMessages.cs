using System.Text.Json.Serialization;

namespace ChatRooms;

/// <summary><c>join_room</c>, <c>leave_room</c> and <c>chat_message</c> as clients send them.</summary>
public sealed record RoomRequest([property: JsonPropertyName("room")] string? Room, [property: JsonPropertyName("message")] string? Message);

/// <summary><c>{"type":"welcome","connection_id":...,"message":...}</c>, with <c>user_id</c> for a client with a token.</summary>
public sealed record Welcome(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("user_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId);

/// <summary><c>room_joined</c> and <c>room_left</c>, to the client that asked.</summary>
public sealed record RoomReply([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("room")] string Room);

/// <summary><c>user_joined</c> and <c>user_left</c>, to the room.</summary>
public sealed record RoomEvent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("room")] string Room);

/// <summary><c>chat_message</c> as the room receives it.</summary>
public sealed record ChatMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("message")] string Message);

/// <summary><c>{"type":...,"message":...}</c>: the echo endpoints' welcome and <c>auth_required</c>.</summary>
public sealed record Notice([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("message")] string Message);

/// <summary><c>{"token":...}</c>, the answer of <c>POST /api/generate-token</c>.</summary>
public sealed record TokenResponse([property: JsonPropertyName("token")] string Token);

/// <summary>Source-generated JSON for every message ChatRooms reads and writes.</summary>
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(Welcome))]
[JsonSerializable(typeof(RoomReply))]
[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(Notice))]
public sealed partial class ChatJsonContext : JsonSerializerContext;

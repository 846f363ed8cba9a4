using System.Text.Json.Serialization;

namespace LiveUpdates;

/// <summary>
/// <c>{"type":...,"message":...}</c>: the mixin's hello (<c>connection</c>) and the chat's <c>user_joined</c> and
/// <c>user_left</c>.
/// </summary>
public sealed record TextMessage([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("message")] string Message);

/// <summary>A chat client's <c>{"type":"message","message":TEXT}</c>, optionally with <c>"user"</c>.</summary>
public sealed record ChatRequest([property: JsonPropertyName("message")] string? Message, [property: JsonPropertyName("user")] string? User);

/// <summary><c>{"type":"message","user","message","timestamp"}</c>, what the room gets for a chat message.</summary>
public sealed record ChatLine(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

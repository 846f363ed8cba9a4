using System.Text.Json.Serialization;

namespace ChatRooms;

/// <summary><c>{"token":...}</c>, the answer of <c>POST /api/generate-token</c>.</summary>
public sealed record TokenResponse([property: JsonPropertyName("token")] string Token);

/// <summary>An HTTP error body (problem details).</summary>
public sealed record Problem([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("status")] int Status, [property: JsonPropertyName("detail")] string Detail);

/// <summary>Source-generated JSON for every message ChatRooms writes.</summary>
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(Problem))]
public sealed partial class ChatJsonContext : JsonSerializerContext;

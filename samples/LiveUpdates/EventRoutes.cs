using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Protocol;

namespace LiveUpdates;

/// <summary>
/// The seed's <c>@self.event(...)</c> handlers as a table: a NATS-style subject pattern (<c>*</c> one token,
/// <c>&gt;</c> the rest), the topic its events go to, and the message they become there.
/// </summary>
public sealed record EventRoute(ChannelPattern Subject, string Topic, Func<JsonElement, byte[]> ToMessage)
{
    /// <summary>The seed's two routes: <c>order.*</c> to <c>orders</c>, <c>payment.completed</c> to <c>payments</c>.</summary>
    public static readonly EventRoute[] Seed =
    [
        new(ChannelPattern.Parse("order.*"), "orders",
            data => JsonSerializer.SerializeToUtf8Bytes(new OrderUpdate("order_update", data), LiveJsonContext.Default.OrderUpdate)),
        new(ChannelPattern.Parse("payment.completed"), "payments",
            data => JsonSerializer.SerializeToUtf8Bytes(new PaymentCompleted("payment_completed", Field(data, "order_id"), Field(data, "amount")), LiveJsonContext.Default.PaymentCompleted)),
    ];

    // The seed reads data.get("order_id"): a missing field is null, not an error.
    private static JsonElement? Field(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) ? value : null;
}

/// <summary><c>{"type":"order_update","data":...}</c></summary>
public sealed record OrderUpdate([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("data")] JsonElement Data);

/// <summary><c>{"type":"payment_completed","order_id":...,"amount":...}</c></summary>
public sealed record PaymentCompleted(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("order_id")] JsonElement? OrderId,
    [property: JsonPropertyName("amount")] JsonElement? Amount);

/// <summary><c>{"type":"authenticated","user":{"id","username","roles"}}</c></summary>
public sealed record Authenticated([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("user")] LiveUser User);

/// <summary><c>{"type":"subscribed","topics":[...]}</c>, the answer to <c>subscribe</c>.</summary>
public sealed record Subscribed([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("topics")] string[] Topics);

/// <summary><c>{"type":"announcement","text":...,"timestamp":...}</c>, the seed's broadcast to all.</summary>
public sealed record Announcement(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

/// <summary><c>{"type":"notification","message":...}</c>, what the seed's JavaScript client shows.</summary>
public sealed record Notification([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("message")] string Message);

/// <summary><c>{"type":"error","message":...}</c>, the seed's error format.</summary>
public sealed record ErrorMessage([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("message")] string Message);

/// <summary>What a backend posts to <c>POST /api/events</c>: <c>{"subject":"order.created","data":{...}}</c>.</summary>
public sealed record EventRequest([property: JsonPropertyName("subject")] string? Subject, [property: JsonPropertyName("data")] JsonElement? Data);

/// <summary>What <c>POST /api/events</c> answers: the topics the event went to.</summary>
public sealed record EventAccepted([property: JsonPropertyName("subject")] string Subject, [property: JsonPropertyName("topics")] List<string> Topics);

/// <summary>Source-generated JSON for every message LiveUpdates writes.</summary>
[JsonSerializable(typeof(OrderUpdate))]
[JsonSerializable(typeof(PaymentCompleted))]
[JsonSerializable(typeof(Authenticated))]
[JsonSerializable(typeof(Subscribed))]
[JsonSerializable(typeof(Announcement))]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(ErrorMessage))]
[JsonSerializable(typeof(EventAccepted))]
[JsonSerializable(typeof(EventRequest))]
[JsonSerializable(typeof(TopicsRequest))]
[JsonSerializable(typeof(AdminCommand))]
[JsonSerializable(typeof(ChannelSubscribed))]
[JsonSerializable(typeof(ContentMessage))]
[JsonSerializable(typeof(UserMessage))]
[JsonSerializable(typeof(TextMessage))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatLine))]
public sealed partial class LiveJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using Switchboard.Server.Handlers;

namespace TopicManager;

/// <summary>
/// The topic manager of seed 003 at <c>ws /ws/{client_id}</c>: <c>subscribe</c> and <c>unsubscribe</c> by
/// <c>topic</c> (no reply), <c>ping</c> answered with <c>{"type":"pong"}</c>, and any other message echoed back as
/// <c>{"received": message}</c>. Topics are Switchboard groups; <c>POST /api/publish</c> sends to one. Connections and
/// subscriptions are counted in <see cref="TopicTraffic"/> for <c>ws /api/ws/traffic</c>.
/// </summary>
public sealed class TopicHandler(TopicTraffic traffic) : SwitchboardHandler
{
    private static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    public override void Configure(HandlerOptions options) => options
        .On("subscribe", TopicJsonContext.Default.TopicRequest, async (connection, request) =>
        {
            if (Topic(connection, request) is { } topic && await connection.JoinGroupAsync(topic))
            {
                traffic.Subscribed(topic);
            }
        })
        .On("unsubscribe", TopicJsonContext.Default.TopicRequest, async (connection, request) =>
        {
            if (Topic(connection, request) is { } topic && await connection.LeaveGroupAsync(topic))
            {
                traffic.Unsubscribed(topic);
            }
        })
        .On("ping", (connection, _) =>
        {
            connection.Send(Pong);
            return ValueTask.CompletedTask;
        });

    /// <inheritdoc />
    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        traffic.Connected();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        traffic.Disconnected(connection.Groups); // Still listed here; the connection leaves them after this returns.
        return ValueTask.CompletedTask;
    }

    /// <summary>Anything else: <c>{"received": message}</c>, the client's bytes as they came.</summary>
    public override ValueTask OnMessageAsync(HandlerConnection connection, HandlerMessage message)
    {
        var raw = message.Raw.Span;
        var echo = new byte[raw.Length + 13];
        "{\"received\":"u8.CopyTo(echo);
        raw.CopyTo(echo.AsSpan(12));
        echo[^1] = (byte)'}';
        connection.Send(echo);
        return ValueTask.CompletedTask;
    }

    private static string? Topic(HandlerConnection connection, TopicRequest request)
    {
        if (request.Topic is { Length: > 0 and <= 200 } topic)
        {
            return topic;
        }

        connection.SendError("topic must be a name of 1 to 200 characters");
        return null;
    }
}

/// <summary><c>subscribe</c> and <c>unsubscribe</c>: <c>{"type":...,"topic":...}</c>.</summary>
public sealed record TopicRequest([property: JsonPropertyName("topic")] string? Topic);

/// <summary><c>POST /api/publish</c>: <c>{"topic":...,"message":...}</c>; the message is any JSON value, sent as is.</summary>
public sealed record PublishRequest([property: JsonPropertyName("topic")] string? Topic, [property: JsonPropertyName("message")] System.Text.Json.JsonElement? Message);

/// <summary>What <c>POST /api/publish</c> answers.</summary>
public sealed record Published([property: JsonPropertyName("topic")] string Topic);

/// <summary>Source-generated JSON for TopicManager.</summary>
[JsonSerializable(typeof(TopicRequest))]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(Published))]
[JsonSerializable(typeof(TrafficReport))]
public sealed partial class TopicJsonContext : JsonSerializerContext;

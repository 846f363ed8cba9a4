using System.Text.Json.Serialization;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// The live-update socket of seed 002 at <c>ws /ws?token=JWT</c>: only clients with a valid token get in (others are
/// closed with 1008 "Invalid token"), are greeted with the mixin's hello and <c>authenticated</c>, subscribe to topics
/// (by <c>topics</c> or one <c>channel</c>), and receive what <see cref="LiveEventBridge"/> routes there. A client's
/// <c>{"type":"message","content":...}</c> goes to the subscribers of the topic <see cref="MessagesTopic"/>.
/// <c>admin_command</c> needs the <c>admin</c> role. The rate limit and heartbeat are <see cref="WebSocketMixin"/>'s.
/// </summary>
public sealed class LiveUpdatesHandler(WebSocketMixin mixin) : SwitchboardHandler
{
    /// <summary>The topic whose subscribers get the clients' <c>message</c>s.</summary>
    public const string MessagesTopic = "messages";

    private const string SubscribeShape = "subscribe and unsubscribe take \"topics\": [names] or \"channel\": a name, not both";

    public override void Configure(HandlerOptions options)
    {
        options.Authentication = HandlerAuthentication.Required;
        options.TokenRejectedReason = "Invalid token";
        mixin.Configure(options);
        options
            .On("subscribe", LiveJsonContext.Default.TopicsRequest, (connection, request) => ChangeAsync(connection, request, "subscribed", connection.JoinGroupAsync))
            .On("unsubscribe", LiveJsonContext.Default.TopicsRequest, (connection, request) => ChangeAsync(connection, request, "unsubscribed", connection.LeaveGroupAsync))
            .On("message", LiveJsonContext.Default.ContentMessage, RelayAsync)
            .On("admin_command", LiveJsonContext.Default.AdminCommand, AdminAsync);
    }

    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        mixin.Connected(connection);
        connection.Send(new Authenticated("authenticated", LiveUser.From(connection)!), LiveJsonContext.Default.Authenticated);
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        mixin.Disconnected(connection);
        return ValueTask.CompletedTask;
    }

    // The answer has the request's shape: {"topics":[...]} for topics, {"channel":...} for a channel (the mixin's).
    private static async ValueTask ChangeAsync(HandlerConnection connection, TopicsRequest request, string answer, Func<string, ValueTask<bool>> change)
    {
        if (request is { Channel: not null, Topics: not null })
        {
            connection.SendError(SubscribeShape);
            return;
        }

        if (request.Channel is { } channel)
        {
            if (!IsTopic(channel))
            {
                connection.SendError("channel must be a name of 1 to 200 characters");
                return;
            }

            await change(channel);
            connection.Send(new ChannelSubscribed(answer, channel), LiveJsonContext.Default.ChannelSubscribed);
            return;
        }

        var topics = Topics(request);
        foreach (var topic in topics)
        {
            await change(topic);
        }

        connection.Send(new Subscribed(answer, topics), LiveJsonContext.Default.Subscribed);
    }

    private async ValueTask RelayAsync(HandlerConnection connection, ContentMessage message)
    {
        if (message.Content is not { Length: > 0 } content)
        {
            connection.SendError("a message needs \"content\": the text to send");
            return;
        }

        var user = LiveUser.From(connection)!;
        await Clients.Group(MessagesTopic).SendAsync(new UserMessage("message", user.Username, content, DateTimeOffset.UtcNow), LiveJsonContext.Default.UserMessage);
    }

    private async ValueTask AdminAsync(HandlerConnection connection, AdminCommand command)
    {
        if (!connection.User.Roles.Contains("admin"))
        {
            connection.SendError("Insufficient permissions");
            return;
        }

        switch (command)
        {
            case { Command: "announce", Text: { } text }:
                await Clients.All.SendAsync(new Announcement("announcement", text, DateTimeOffset.UtcNow), LiveJsonContext.Default.Announcement);
                break;
            case { Command: "notify", UserId: { Length: > 0 } userId, Message: { } message }:
                await Clients.User(userId).SendAsync(new Notification("notification", message), LiveJsonContext.Default.Notification);
                break;
            case { Command: "notify_role", Role: { Length: > 0 } role, Message: { } message }:
                await Clients.Role(role).SendAsync(new Notification("notification", message), LiveJsonContext.Default.Notification);
                break;
            default:
                connection.SendError("Unknown command: use announce (text), notify (user_id, message) or notify_role (role, message)");
                break;
        }
    }

    private static bool IsTopic(string name) => name.Length is > 0 and <= 200;

    private static string[] Topics(TopicsRequest request) =>
        request.Topics is { } topics ? [.. topics.OfType<string>().Where(IsTopic).Distinct(StringComparer.Ordinal)] : [];
}

/// <summary><c>subscribe</c> / <c>unsubscribe</c>: <c>{"type":...,"topics":["orders",...]}</c> or <c>{"type":...,"channel":"orders"}</c>.</summary>
public sealed record TopicsRequest([property: JsonPropertyName("topics")] string?[]? Topics, [property: JsonPropertyName("channel")] string? Channel);

/// <summary><c>{"type":"subscribed","channel":...}</c>, the answer to a <c>subscribe</c> by <c>channel</c> (and <c>unsubscribed</c> likewise).</summary>
public sealed record ChannelSubscribed([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("channel")] string Channel);

/// <summary>The seed's JavaScript <c>sendMessage</c>: <c>{"type":"message","content":TEXT}</c>.</summary>
public sealed record ContentMessage([property: JsonPropertyName("content")] string? Content);

/// <summary><c>{"type":"message","user","content","timestamp"}</c>, what the subscribers of <c>messages</c> get for a client's message.</summary>
public sealed record UserMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

/// <summary><c>{"type":"admin_command","command":...}</c> with the command's fields.</summary>
public sealed record AdminCommand(
    [property: JsonPropertyName("command")] string? Command,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("message")] string? Message);

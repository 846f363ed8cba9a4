using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// The live-update socket of seed 002 at <c>ws /ws?token=JWT</c>: only clients with a valid token get in (others are
/// closed with 1008 "Invalid token"), are greeted with <c>authenticated</c>, subscribe to topics, and receive what
/// <see cref="LiveEventBridge"/> routes there. <c>admin_command</c> needs the <c>admin</c> role; a client sending more
/// than 60 messages a minute gets <c>{"type":"error","message":"Rate limit exceeded"}</c> for each one over.
/// </summary>
public sealed class LiveUpdatesHandler : SwitchboardHandler
{
    public override void Configure(HandlerOptions options)
    {
        options.Authentication = HandlerAuthentication.Required;
        options.TokenRejectedReason = "Invalid token";
        options.RateLimiter = static () => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = 60,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        options
            .On("subscribe", LiveJsonContext.Default.TopicsRequest, async (connection, request) =>
            {
                var topics = Topics(request);
                foreach (var topic in topics)
                {
                    await connection.JoinGroupAsync(topic);
                }

                connection.Send(new Subscribed("subscribed", topics), LiveJsonContext.Default.Subscribed);
            })
            .On("unsubscribe", LiveJsonContext.Default.TopicsRequest, async (connection, request) =>
            {
                var topics = Topics(request);
                foreach (var topic in topics)
                {
                    await connection.LeaveGroupAsync(topic);
                }

                connection.Send(new Subscribed("unsubscribed", topics), LiveJsonContext.Default.Subscribed);
            })
            .On("admin_command", LiveJsonContext.Default.AdminCommand, AdminAsync);
    }

    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        var user = new LiveUser(connection.UserId!, Username(connection) ?? connection.UserId!, [.. connection.User.Roles]);
        connection.Send(new Authenticated("authenticated", user), LiveJsonContext.Default.Authenticated);
        return ValueTask.CompletedTask;
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

    private static string[] Topics(TopicsRequest request) =>
        request.Topics is { } topics ? [.. topics.OfType<string>().Where(t => t.Length is > 0 and <= 200).Distinct(StringComparer.Ordinal)] : [];

    // The seed's "username" claim: Switchboard keeps every claim of the token it validated.
    private static string? Username(HandlerConnection connection) =>
        connection.User.Claims is { ValueKind: JsonValueKind.Object } claims && claims.TryGetProperty("username", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}

/// <summary><c>subscribe</c> / <c>unsubscribe</c>: <c>{"type":...,"topics":["orders",...]}</c>.</summary>
public sealed record TopicsRequest([property: JsonPropertyName("topics")] string?[]? Topics);

/// <summary><c>{"type":"admin_command","command":...}</c> with the command's fields.</summary>
public sealed record AdminCommand(
    [property: JsonPropertyName("command")] string? Command,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("message")] string? Message);

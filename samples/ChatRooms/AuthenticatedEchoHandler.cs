using Switchboard.Server.Handlers;

namespace ChatRooms;

/// <summary>
/// Seed 004's "WebSocket with Authentication" at <c>ws /auth/ws</c>. With <c>?token=</c> from
/// <c>POST /api/generate-token</c>: <c>{"type":"welcome","message":"Welcome, USER!"}</c>, then
/// <c>{"type":"message","data":MESSAGE,"user":USER}</c> for every message. Without a token:
/// <c>{"type":"auth_required","message":"Please authenticate"}</c>, and every message gets
/// <c>{"type":"error","message":"Authentication required"}</c>. An invalid token is closed with 1008 before any of this.
/// </summary>
public sealed class AuthenticatedEchoHandler : SwitchboardHandler
{
    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        connection.Send(connection.UserId is { } user ? new Notice("welcome", $"Welcome, {user}!") : new Notice("auth_required", "Please authenticate"), ChatJsonContext.Default.Notice);
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnMessageAsync(HandlerConnection connection, HandlerMessage message)
    {
        if (connection.UserId is not { } user)
        {
            connection.SendError("Authentication required");
            return ValueTask.CompletedTask;
        }

        connection.Send(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "message");
            writer.WritePropertyName("data");
            writer.WriteRawValue(message.Raw.Span, skipInputValidation: true);
            writer.WriteString("user", user);
            writer.WriteEndObject();
        });
        return ValueTask.CompletedTask;
    }
}

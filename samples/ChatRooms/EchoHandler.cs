using Switchboard.Server.Handlers;

namespace ChatRooms;

/// <summary>
/// Seed 004's "Basic WebSocket Setup" at <c>ws /echo/ws</c>: <c>{"type":"welcome","message":"Connected!"}</c> on
/// connect, then <c>{"type":"echo","data":MESSAGE}</c> for every JSON object the client sends, whatever its type.
/// </summary>
public sealed class EchoHandler : SwitchboardHandler
{
    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        connection.Send(new Notice("welcome", "Connected!"), ChatJsonContext.Default.Notice);
        return ValueTask.CompletedTask;
    }

    // No routes: every message comes here, and goes back as it came (already checked to be one JSON object).
    public override ValueTask OnMessageAsync(HandlerConnection connection, HandlerMessage message)
    {
        connection.Send(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "echo");
            writer.WritePropertyName("data");
            writer.WriteRawValue(message.Raw.Span, skipInputValidation: true);
            writer.WriteEndObject();
        });
        return ValueTask.CompletedTask;
    }
}

using Switchboard.Server.Handlers;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>A handler whose errors are Home Assistant style results that echo the request's <c>id</c>.</summary>
public sealed class ResultErrorHandler : SwitchboardHandler
{
    public override void OnError(HandlerConnection connection, HandlerError error) =>
        connection.Send(w =>
        {
            w.WriteStartObject();
            if (error.Request is { } request && request.Json.TryGetProperty("id", out var id))
            {
                w.WritePropertyName("id");
                id.WriteTo(w);
            }

            w.WriteString("type", "result");
            w.WriteBoolean("success", false);
            w.WriteString("error", error.Message);
            w.WriteString("kind", error.Kind.ToString());
            w.WriteEndObject();
        });
}

using System.Text;
using System.Text.Json;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>Turns a handler's <see cref="HandlerOptions"/> into the connection core's settings, checking them when the handler is mapped.</summary>
internal static class HandlerSettings
{
    public static ConnectionHeartbeat Heartbeat(HandlerOptions options) => options.Heartbeat switch
    {
        HandlerHeartbeat.WebSocketPing => ConnectionHeartbeat.WebSocketPings,
        HandlerHeartbeat.None => ConnectionHeartbeat.None,
        HandlerHeartbeat.JsonPing => new ConnectionHeartbeat(HeartbeatKind.Json, Json(options.PingMessage ?? DefaultPing(options.TypeProperty), nameof(options.PingMessage))),
        _ => throw new InvalidOperationException($"unknown heartbeat {options.Heartbeat}"),
    };

    public static ConnectionAuthentication Authentication(HandlerOptions options, SecurityPolicy policy, HandlerHandshake handshake, bool appSignIn)
    {
        switch (options.Authentication)
        {
            case HandlerAuthentication.Optional:
                return new ConnectionAuthentication(static () => false, null, options.TokenRejectedReason);
            case HandlerAuthentication.Required:
                if (policy.Tokens is null && !appSignIn)
                {
                    throw new InvalidOperationException("HandlerAuthentication.Required needs token keys (set Switchboard:Auth:Secret or the other key settings) or the application's authentication (AddAuthentication)");
                }

                return new ConnectionAuthentication(static () => true, null, options.TokenRejectedReason);
            case HandlerAuthentication.FirstMessage:
                if (options.AuthenticationPrompt is { } prompt)
                {
                    handshake.Prompt = Json(prompt, nameof(options.AuthenticationPrompt));
                }

                return new ConnectionAuthentication(static () => true, handshake, options.TokenRejectedReason);
            default:
                throw new InvalidOperationException($"unknown authentication {options.Authentication}");
        }
    }

    private static string DefaultPing(string typeProperty) => $"{{\"{JsonEncodedText.Encode(typeProperty)}\":\"ping\"}}";

    private static ReadOnlyMemory<byte> Json(string json, string setting)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return Switchboard.Protocol.PublicationData.IsOneJsonValue(bytes)
            ? bytes
            : throw new InvalidOperationException($"HandlerOptions.{setting} must be one JSON value");
    }
}

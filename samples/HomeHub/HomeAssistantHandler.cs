using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Server.Handlers;
using Switchboard.Server.Security;

namespace HomeHub;

/// <summary>
/// The Home Assistant WebSocket API subset of seed 000 at <c>/api/websocket</c>: <c>auth_required</c>, then <c>auth</c>
/// with an <c>access_token</c> (those of <c>--HomeHub:AccessToken</c>) answered by <c>auth_ok</c> or
/// <c>auth_invalid</c>; then commands with increasing <c>id</c>s, each answered by a <c>result</c> (or <c>pong</c>)
/// with that id: <c>supported_features</c>, <c>get_states</c>, <c>get_config</c>, <c>get_services</c>,
/// <c>subscribe_events</c>, <c>subscribe_entities</c>, <c>unsubscribe_events</c>, <c>call_service</c>, <c>fire_event</c>,
/// <c>ping</c>: what HomeIQ's client and Home Assistant 2024.1's own frontend send.
/// </summary>
public sealed class HomeAssistantHandler(EntityStore entities, EventBus events, IConfiguration configuration) : SwitchboardHandler
{
    private const string Version = "2024.1.0";
    private const string CoalesceItem = "coalesce_messages";
    private static readonly JsonElement Config = JsonSerializer.SerializeToElement(HaConfig.ForSampleHome(Version), HaJsonContext.Default.HaConfig);
    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement>(), HaJsonContext.Default.DictionaryStringJsonElement);
    private readonly byte[] _accessToken = Encoding.UTF8.GetBytes(configuration["HomeHub:AccessToken"] ?? "");

    public override void Configure(HandlerOptions options)
    {
        options.Authentication = HandlerAuthentication.FirstMessage;
        options.AuthenticationPrompt = JsonSerializer.Serialize(new AuthMessage("auth_required", Version, null), HaJsonContext.Default.AuthMessage);
        options
            .On("supported_features", Command((c, id, m) =>
            {
                if (!m.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Object
                    || features.EnumerateObject().Any(f => f.Value.ValueKind != JsonValueKind.Number || !f.Value.TryGetInt32(out _)))
                {
                    Error(c, id, "invalid_format", "Message incorrectly formatted: features must map names to integers.");
                    return;
                }

                // As Home Assistant: naming the feature turns it on, whatever the number.
                c.Items[CoalesceItem] = features.TryGetProperty(CoalesceItem, out _);
                Result(c, id, null);
            }))
            .On("get_config", Command((c, id, _) => Result(c, id, Config)))
            .On("get_services", Command((c, id, _) => Result(c, id, ServiceCatalog.Descriptions)))
            .On("subscribe_entities", Command((c, id, m) =>
            {
                if (!TryEntityIds(m, out var entityIds))
                {
                    Error(c, id, "invalid_format", "Message incorrectly formatted: entity_ids must be an entity id or a list of them.");
                    return;
                }

                entities.SubscribeEntities(c, id, entityIds, states => SendTogether(c,
                    JsonSerializer.SerializeToUtf8Bytes(new ResultMessage(id, "result", true, null), HaJsonContext.Default.ResultMessage),
                    EventBus.Wrap(id, CompressedStates.Added(states))));
            }))
            .On("get_states", Command((c, id, _) => Result(c, id, JsonSerializer.SerializeToElement(entities.States(), HaJsonContext.Default.ListEntityState))))
            .On("subscribe_events", Command((c, id, m) =>
            {
                events.SubscribeEvents(c, id, m.TryGetProperty("event_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
                Result(c, id, null);
            }))
            .On("unsubscribe_events", Command((c, id, m) =>
            {
                if (m.TryGetProperty("subscription", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var subscription) && events.Unsubscribe(c, subscription))
                {
                    Result(c, id, null);
                }
                else
                {
                    Error(c, id, "not_found", "Subscription not found.");
                }
            }))
            .On("call_service", Command((c, id, m) =>
            {
                var context = HaContext.New();
                if (entities.Call(Text(m, "domain"), Text(m, "service"), m, context) is not { } error)
                {
                    Result(c, id, JsonSerializer.SerializeToElement(new ContextResult(context), HaJsonContext.Default.ContextResult));
                }
                else
                {
                    Error(c, id, error.Code, error.Message);
                }
            }))
            .On("fire_event", Command((c, id, m) =>
            {
                if (Text(m, "event_type") is not { Length: > 0 } eventType)
                {
                    Error(c, id, "invalid_format", "Message incorrectly formatted: event_type is required.");
                    return;
                }

                var context = HaContext.New();
                events.Fire(new HaEvent(eventType, m.TryGetProperty("event_data", out var data) && data.ValueKind == JsonValueKind.Object ? data : EmptyObject, "LOCAL", HaTime.Now(), context));
                Result(c, id, JsonSerializer.SerializeToElement(new ContextResult(context), HaJsonContext.Default.ContextResult));
            }))
            .On("ping", Command((c, id, _) => c.Send(new PongMessage(id, "pong"), HaJsonContext.Default.PongMessage)));
    }

    public override ValueTask<HandlerAuthResult> AuthenticateAsync(HandlerAuthContext context)
    {
        if (!context.IsJson || context.Message.Type != "auth" || !context.Message.Json.TryGetProperty("access_token", out var token) || token.ValueKind != JsonValueKind.String)
        {
            return ValueTask.FromResult(Invalid("Auth message incorrectly formatted"));
        }

        var given = Encoding.UTF8.GetBytes(token.GetString()!);
        return ValueTask.FromResult(_accessToken.Length > 0 && CryptographicOperations.FixedTimeEquals(given, _accessToken)
            ? HandlerAuthResult.Accept(new ConnectionIdentity { UserId = "homeiq" }).WithReply(new AuthMessage("auth_ok", Version, null), HaJsonContext.Default.AuthMessage)
            : Invalid("Invalid access token or password"));

        static HandlerAuthResult Invalid(string message) => HandlerAuthResult.Reject(message).WithReply(new AuthMessage("auth_invalid", null, message), HaJsonContext.Default.AuthMessage);
    }

    public override ValueTask OnMessageAsync(HandlerConnection connection, HandlerMessage message)
    {
        Error(connection, IdOf(message), "unknown_command", "Unknown command.");
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnDisconnectedAsync(HandlerConnection connection)
    {
        events.Remove(connection);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Home Assistant's format for every error Switchboard reports: a failure of ours is <c>unknown_error</c>; anything
    /// the client got wrong (bad JSON, a string that is no text, rate limits) is <c>invalid_format</c>.
    /// </summary>
    public override void OnError(HandlerConnection connection, HandlerError error)
    {
        if (error.Kind is HandlerErrorKind.Failed)
        {
            Error(connection, error.Request is { } request ? IdOf(request) : null, "unknown_error", error.Message);
        }
        else
        {
            InvalidFormat(connection, error.Request, error.Message);
        }
    }

    // A command must carry an id greater than the connection's previous one, as Home Assistant requires.
    private static Func<HandlerConnection, HandlerMessage, ValueTask> Command(Action<HandlerConnection, long, JsonElement> handle) => (connection, message) =>
    {
        if (IdOf(message) is not { } id)
        {
            InvalidFormat(connection, message, "Message incorrectly formatted: id must be an integer.");
        }
        else if (connection.Items.TryGetValue("last_id", out var last) && id <= (long)last!)
        {
            Error(connection, id, "id_reuse", "Identifier values have to increase.");
        }
        else
        {
            connection.Items["last_id"] = id;
            handle(connection, id, message.Json);
        }

        return ValueTask.CompletedTask;
    };

    // Messages made together for one client. One that asked for coalesce_messages gets them as one JSON array in one
    // frame, as Home Assistant's writer sends what is queued at once; any other client gets them one by one.
    private static void SendTogether(HandlerConnection connection, params byte[][] messages)
    {
        if (connection.Items.TryGetValue(CoalesceItem, out var coalesce) && coalesce is true && messages.Length > 1)
        {
            var frame = new byte[messages.Sum(m => m.Length) + messages.Length + 1];
            var at = 0;
            foreach (var message in messages)
            {
                frame[at] = (byte)(at == 0 ? '[' : ',');
                message.CopyTo(frame, at + 1);
                at += message.Length + 1;
            }

            frame[at] = (byte)']';
            connection.Send(frame);
            return;
        }

        foreach (var message in messages)
        {
            connection.Send(message);
        }
    }

    // subscribe_entities's optional entity_ids: one id or a list of them (Home Assistant's cv.entity_ids); null for all.
    private static bool TryEntityIds(JsonElement message, out IReadOnlySet<string>? entityIds)
    {
        entityIds = null;
        if (!message.TryGetProperty("entity_ids", out var value))
        {
            return true;
        }

        var ids = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(e => e.GetString()!).ToArray(),
            _ => null,
        };
        var lowered = ids?.Select(id => id.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (lowered is null || lowered.Any(id => !EntityId.IsValid(id)))
        {
            return false;
        }

        entityIds = lowered.Count == 0 ? null : lowered;
        return true;
    }

    // Home Assistant takes only a JSON integer as an id: a string, true, an array or 1.5 is a malformed command.
    private static long? IdOf(HandlerMessage message) =>
        message.Json.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value) ? value : null;

    private static string Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static void Result(HandlerConnection connection, long id, JsonElement? result) =>
        connection.Send(new ResultMessage(id, "result", true, result), HaJsonContext.Default.ResultMessage);

    private static void Error(HandlerConnection connection, long? id, string code, string message) =>
        connection.Send(new ErrorResultMessage(id, "result", false, new HaError(code, message)), HaJsonContext.Default.ErrorResultMessage);

    // Home Assistant answers a malformed command with the id it carried, whatever its type (a string, true, an array),
    // or null without one: the client can still match the reply to what it sent.
    private static void InvalidFormat(HandlerConnection connection, HandlerMessage? request, string message) =>
        connection.Send(writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("id");
            if (request is not null && request.Json.TryGetProperty("id", out var id))
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteString("type", "result");
            writer.WriteBoolean("success", false);
            writer.WriteStartObject("error");
            writer.WriteString("code", "invalid_format");
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HomeHub;

/// <summary>
/// Home Assistant's REST calls that set and remove an entity's state, <c>POST /api/states/ENTITY_ID</c> with
/// <c>{"state":...,"attributes":{...}}</c> and <c>DELETE /api/states/ENTITY_ID</c>, with the access token as
/// <c>Authorization: Bearer</c>. Each change reaches the WebSocket subscribers as <c>state_changed</c> and as the
/// compressed <c>a</c>, <c>c</c> or <c>r</c> event, as it does from Home Assistant.
/// </summary>
public static class StatesApi
{
    /// <summary>Maps both calls.</summary>
    public static WebApplication MapStatesApi(this WebApplication app)
    {
        var token = Encoding.UTF8.GetBytes(app.Configuration["HomeHub:AccessToken"] ?? "");
        app.MapPost("/api/states/{entityId}", async (string entityId, HttpRequest request, EntityStore entities) =>
        {
            if (!Authorized(request, token))
            {
                return Unauthorized();
            }

            if (!EntityId.IsValid(entityId))
            {
                return Message("Invalid entity ID specified.", StatusCodes.Status400BadRequest);
            }

            JsonElement body;
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return Message("Invalid JSON specified.", StatusCodes.Status400BadRequest);
            }

            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("state", out var state) || state.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return Message("No state specified.", StatusCodes.Status400BadRequest);
            }

            var text = state.ValueKind == JsonValueKind.String ? state.GetString()! : state.GetRawText();
            if (text.Length > 255)
            {
                return Message("Invalid state specified.", StatusCodes.Status400BadRequest);
            }

            var attributes = body.TryGetProperty("attributes", out var given) && given.ValueKind == JsonValueKind.Object
                ? given.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
                : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var (saved, created) = entities.Set(entityId, text, attributes, HaContext.New());
            request.HttpContext.Response.Headers.Location = $"/api/states/{entityId}";
            return Results.Json(saved, HaJsonContext.Default.EntityState, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
        app.MapDelete("/api/states/{entityId}", (string entityId, HttpRequest request, EntityStore entities) =>
            !Authorized(request, token) ? Unauthorized()
            : entities.Remove(entityId) ? Message("Entity removed.", StatusCodes.Status200OK)
            : Message("Entity not found.", StatusCodes.Status404NotFound));
        return app;
    }

    private static bool Authorized(HttpRequest request, byte[] token) =>
        token.Length > 0
        && request.Headers.Authorization.ToString() is { } header
        && header.StartsWith("Bearer ", StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..]), token);

    // Home Assistant answers a request without a valid token with a bare 401 and this text.
    private static IResult Unauthorized() => Results.Text("401: Unauthorized", "text/plain", statusCode: StatusCodes.Status401Unauthorized);

    private static IResult Message(string message, int status) => Results.Json(new HaMessage(message), HaJsonContext.Default.HaMessage, statusCode: status);
}

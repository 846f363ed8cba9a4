using System.Text.Json;
using ChatRooms;
using Switchboard.Samples;

// Seed 004: dotnet run --project samples/ChatRooms -- --urls http://127.0.0.1:8000, then open http://127.0.0.1:8000/
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
var tokens = TokenIssuer.Configure(builder.Configuration);
builder.Services.AddSwitchboard();

var app = builder.Build();
app.MapSwitchboardHandler<ChatHandler>("/ws");
app.MapSwitchboardHandler<EchoHandler>("/echo/ws"); // The seed's echo server, beside the chat.
app.MapSwitchboardHandler<AuthenticatedEchoHandler>("/auth/ws"); // The seed's server with authentication.
app.MapGet("/", (HttpRequest request) => Results.Content(ChatPage.For(request.Host), "text/html; charset=utf-8"));
app.MapPost("/api/generate-token", async (HttpRequest request) =>
{
    string? userId = null;
    try
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("user_id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            userId = id.GetString();
        }
    }
    catch (JsonException)
    {
        // Answered below like a body without user_id.
    }

    return userId is { Length: > 0 and <= 128 }
        ? Results.Json(new TokenResponse(tokens.Issue(userId)), ChatJsonContext.Default.TokenResponse)
        : Problem.Result("Invalid request", "user_id must be a non-empty string of at most 128 characters");
});
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("ChatRooms");
app.Run();

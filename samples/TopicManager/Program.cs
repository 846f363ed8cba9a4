using System.Text.Json;
using Switchboard.Server.Handlers;
using Switchboard.Samples;
using TopicManager;

// Seed 003: dotnet run --project samples/TopicManager -- --urls http://127.0.0.1:8000
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddSwitchboard();

var app = builder.Build();
app.MapSwitchboardHandler<TopicHandler>("/ws/{client_id}");
app.MapPost("/api/publish", async (HttpRequest request, HandlerClients<TopicHandler> clients) =>
{
    PublishRequest? publish;
    try
    {
        publish = await JsonSerializer.DeserializeAsync(request.Body, TopicJsonContext.Default.PublishRequest, request.HttpContext.RequestAborted);
    }
    catch (JsonException)
    {
        publish = null;
    }

    if (publish is not { Topic: { Length: > 0 and <= 200 } topic, Message: { } message })
    {
        return Problem.Result("Invalid publish", "the body must be {\"topic\": a name of 1 to 200 characters, \"message\": any JSON value}");
    }

    // The seed sends the message as is to each subscriber: one encoding here, the same bytes for every one of them.
    await clients.Group(topic).SendAsync(System.Text.Encoding.UTF8.GetBytes(message.GetRawText()));
    return Results.Json(new Published(topic), TopicJsonContext.Default.Published, statusCode: 202);
});
app.LogListeningAddress("TopicManager");
app.Run();

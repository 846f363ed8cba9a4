using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Switchboard.Server;
using Switchboard.Server.Handlers;
using Switchboard.Samples;
using TopicManager;

// Seed 003: dotnet run --project samples/TopicManager -- --urls http://127.0.0.1:8000
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddSwitchboard();
builder.Services.AddSingleton<TopicTraffic>();
builder.Services.AddSingleton<TopicHandler>();
builder.Services.AddSingleton<TrafficHandler>();
builder.Services.AddHostedService<TrafficReporter>();

var app = builder.Build();
app.MapSwitchboardHandler<TopicHandler>("/ws/{client_id}");
app.MapSwitchboardHandler<TrafficHandler>("/api/ws/traffic"); // The traffic of /ws/{client_id}, once a second.

// With --Switchboard:HttpApi:Key=KEY a backend must send "Authorization: Bearer KEY" (the seed's endpoint is open).
var key = app.Configuration["Switchboard:HttpApi:Key"];
const string PublishShape = "the body must be {\"topic\": a name of 1 to 200 characters, \"message\": any JSON value}";
var maxBody = app.Services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.MaxPublicationSize;
app.MapPost("/api/publish", async (HttpRequest request, HandlerClients<TopicHandler> clients, TopicTraffic traffic) =>
{
    if (BearerKey.Refusal(request, key) is { } unauthorized)
    {
        return unauthorized;
    }

    var (publish, refusal) = await JsonRequestBody.ReadAsync(request, maxBody, TopicJsonContext.Default.PublishRequest, "Invalid publish", PublishShape);
    if (refusal is not null)
    {
        return refusal;
    }

    if (publish is not { Topic: { Length: > 0 and <= 200 } topic, Message: { } message })
    {
        return Problem.Result("Invalid publish", PublishShape);
    }

    // The seed sends the message as is to each subscriber: one encoding here, the same bytes for every one of them.
    try
    {
        await clients.Group(topic).SendAsync(JsonMarshal.GetRawUtf8Value(message).ToArray());
    }
    catch (PublicationTooLargeException)
    {
        return JsonRequestBody.TooLarge(maxBody);
    }

    traffic.Published(topic);
    return Results.Json(new Published(topic), TopicJsonContext.Default.Published, statusCode: 202);
});
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("TopicManager");
app.Run();

using LiveUpdates;
using Microsoft.Extensions.Options;
using Switchboard.Server;
using Switchboard.Samples;

// Seed 002: dotnet run --project samples/LiveUpdates -- --urls http://127.0.0.1:8081 --Switchboard:Auth:Secret=A_SECRET_OF_32_BYTES_OR_MORE
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8081");
builder.Services.AddSwitchboard();
builder.Services.AddSwitchboardSettings("Switchboard:Nats:Url", typeof(string)); // Read by NatsEventIntake itself: a known key.
builder.Services.AddSingleton<LiveEventBridge>();
LiveUpdatesOptions.Register(builder.Services); // --LiveUpdates:MessagesPerMinute, HeartbeatInterval, NatsQueueGroup
builder.Services.AddSingleton<WebSocketMixin>();
builder.Services.AddSingleton<JsonHeartbeat>();
builder.Services.AddHostedService(services => services.GetRequiredService<JsonHeartbeat>());
if (!string.IsNullOrEmpty(builder.Configuration["Switchboard:Nats:Url"]))
{
    builder.Services.AddHostedService<NatsEventIntake>(); // Events from NATS too, into the same LiveEventBridge.
}

var app = builder.Build();
app.MapSwitchboardHandler<LiveUpdatesHandler>("/ws");
app.MapSwitchboardHandler<ChatRoomHandler>($"/chat/{{{ChatRoomHandler.RoomParameter}:length(1,100)}}");

// Backends publish events here; with --Switchboard:HttpApi:Key=KEY they must send "Authorization: Bearer KEY".
var key = app.Configuration["Switchboard:HttpApi:Key"];
const string EventShape = "the body must be {\"subject\": a subject such as order.created, \"data\": any JSON value}";
var maxBody = app.Services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.MaxPublicationSize;
app.MapPost("/api/events", async (HttpRequest request, LiveEventBridge bridge) =>
{
    if (BearerKey.Refusal(request, key) is { } unauthorized)
    {
        return unauthorized;
    }

    var (posted, refusal) = await JsonRequestBody.ReadAsync(request, maxBody, LiveJsonContext.Default.EventRequest, "Invalid event", EventShape);
    if (refusal is not null)
    {
        return refusal;
    }

    if (posted is not { Subject: var subject, Data: { } data } || !LiveEventBridge.IsSubject(subject))
    {
        return Problem.Result("Invalid event", EventShape);
    }

    try
    {
        var topics = await bridge.DeliverAsync(subject!, data, request.HttpContext.RequestAborted);
        return Results.Json(new EventAccepted(subject!, topics), LiveJsonContext.Default.EventAccepted, statusCode: 202);
    }
    catch (PublicationTooLargeException)
    {
        return JsonRequestBody.TooLarge(maxBody);
    }
});
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("LiveUpdates");
app.Run();

using HomeHub;
using Switchboard.Samples;

// Seed 000: dotnet run --project samples/HomeHub -- --urls http://127.0.0.1:8123 --HomeHub:AccessToken=YOUR_TOKEN
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8123");
if (string.IsNullOrEmpty(builder.Configuration["HomeHub:AccessToken"]))
{
    Console.Error.WriteLine("HomeHub: set the access token clients authenticate with, e.g. --HomeHub:AccessToken=YOUR_TOKEN");
    return 2;
}

builder.Services.AddSwitchboard();
builder.Services.AddSingleton<EntityStore>();
builder.Services.AddSingleton<EventBus>();

var app = builder.Build();
app.MapSwitchboardHandler<HomeAssistantHandler>("/api/websocket");
app.MapStatesApi(); // POST and DELETE /api/states/ENTITY_ID, as Home Assistant's REST API.
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("HomeHub");
app.Run();
return 0;

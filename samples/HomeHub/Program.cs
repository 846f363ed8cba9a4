using HomeHub;
using Switchboard.Samples;

// Seed 000: dotnet run --project samples/HomeHub -- --urls http://127.0.0.1:8123 --HomeHub:AccessToken=YOUR_TOKEN
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8123");
builder.Services.AddSwitchboard();
builder.Services.AddSingleton<EntityStore>();

var app = builder.Build();
app.LogListeningAddress("HomeHub");
app.Run();

using Switchboard.Samples;

// Seed 003: dotnet run --project samples/TopicManager -- --urls http://127.0.0.1:8000
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddSwitchboard();

var app = builder.Build();
app.LogListeningAddress("TopicManager");
app.Run();

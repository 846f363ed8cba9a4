using Switchboard.Samples;

// Seed 002: dotnet run --project samples/LiveUpdates -- --urls http://127.0.0.1:8081 --Switchboard:Auth:Secret=YOUR_32_BYTE_SECRET
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8081");
builder.Services.AddSwitchboard();

var app = builder.Build();
app.LogListeningAddress("LiveUpdates");
app.Run();

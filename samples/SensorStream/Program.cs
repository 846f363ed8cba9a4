using System.Text.Json;
using SensorStream;
using Switchboard.Samples;

// Seed 001: dotnet run --project samples/SensorStream -- --urls http://127.0.0.1:8000
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddSwitchboard();
builder.Services.AddSingleton(TimeProvider.System);
var offlineAfter = builder.Configuration.GetValue("SensorStream:OfflineAfter", TimeSpan.FromMinutes(1));
if (offlineAfter <= TimeSpan.Zero)
{
    Console.Error.WriteLine("SensorStream: --SensorStream:OfflineAfter must be a positive time span, e.g. 00:01:00");
    return 2;
}

builder.Services.AddSingleton(new SensorActivity(offlineAfter));
builder.Services.AddSingleton<SensorStreamHandler>();
builder.Services.AddHostedService<SensorStatusMonitor>();

var app = builder.Build();
app.MapSwitchboardHandler<SensorStreamHandler>("/api/ws/sensor/stream");
app.MapPost("/api/sensors/readings", async (HttpRequest request, SensorStreamHandler stream) =>
{
    JsonElement body;
    try
    {
        using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        body = document.RootElement.Clone();
    }
    catch (JsonException)
    {
        return Invalid("the body is not valid JSON");
    }

    var (reading, error) = await stream.AcceptAsync(body);
    return reading is null ? Invalid(error!) : Results.Json(reading, SensorJsonContext.Default.SensorReading, statusCode: 201);

    static IResult Invalid(string reason) => Problem.Result("Invalid reading", reason);
});
app.LogListeningAddress("SensorStream");
app.Run();
return 0;

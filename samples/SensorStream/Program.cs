using System.Text.Json;
using SensorStream;
using Switchboard.Samples;

// Seed 001: dotnet run --project samples/SensorStream -- --urls http://127.0.0.1:8000
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddSwitchboard();
builder.Services.AddSingleton(new SensorActivity(builder.Configuration.GetValue("SensorStream:OfflineAfter", TimeSpan.FromMinutes(1))));

var app = builder.Build();
var nextId = 0L;
app.MapPost("/api/sensors/readings", async (HttpRequest request, SensorActivity activity) =>
{
    JsonElement body;
    try
    {
        body = (await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted)).RootElement;
    }
    catch (JsonException)
    {
        return Results.Json(new Problem("Invalid reading", 400, "the body is not valid JSON"), SensorJsonContext.Default.Problem, statusCode: 400);
    }

    var now = DateTimeOffset.UtcNow;
    var (reading, error) = ReadingValidator.Validate(body, () => Interlocked.Increment(ref nextId), now);
    if (reading is null)
    {
        return Results.Json(new Problem("Invalid reading", 400, error!), SensorJsonContext.Default.Problem, statusCode: 400);
    }

    // TODO(handler API): broadcast sensor_status (when the sensor starts reporting) and sensor_reading.
    _ = activity.Record(reading.SensorId, now);
    return Results.Json(reading, SensorJsonContext.Default.SensorReading, statusCode: 201);
});
app.LogListeningAddress("SensorStream");
app.Run();

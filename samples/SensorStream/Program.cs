using System.Globalization;
using Microsoft.Extensions.Options;
using SensorStream;
using Switchboard.Server;
using Switchboard.Samples;

// Seed 001: dotnet run --project samples/SensorStream -- --urls http://127.0.0.1:8000 [--simulate]
// "--simulate" is a flag; as a command-line setting it would take the next argument for its value.
var simulate = args.Contains("--simulate");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--simulate").ToArray());
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
if (simulate)
{
    var setting = builder.Configuration["SensorStream:SimulateInterval"];
    var interval = TimeSpan.FromSeconds(1);
    if (setting is not null && (!TimeSpan.TryParse(setting, CultureInfo.InvariantCulture, out interval) || interval <= TimeSpan.Zero))
    {
        Console.Error.WriteLine("SensorStream: --SensorStream:SimulateInterval must be a positive time span, e.g. 00:00:01");
        return 2;
    }

    builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<SensorSimulator>(services, interval));
}

var app = builder.Build();
app.MapSwitchboardHandler<SensorStreamHandler>("/api/ws/sensor/stream");

// With --Switchboard:HttpApi:Key=KEY a sensor must send "Authorization: Bearer KEY" (the seed's endpoint is open).
var key = app.Configuration["Switchboard:HttpApi:Key"];
var maxBody = app.Services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.MaxPublicationSize;
app.MapPost("/api/sensors/readings", async (HttpRequest request, SensorStreamHandler stream) =>
{
    if (BearerKey.Refusal(request, key) is { } unauthorized)
    {
        return unauthorized;
    }

    var (body, refusal) = await JsonRequestBody.ReadAsync(request, maxBody, "Invalid reading", "the body is not valid JSON");
    if (body is null)
    {
        return refusal!;
    }

    using (body)
    {
        try
        {
            var (reading, error) = await stream.AcceptAsync(body.RootElement);
            return reading is null ? Problem.Result("Invalid reading", error!) : Results.Json(reading, SensorJsonContext.Default.SensorReading, statusCode: 201);
        }
        catch (PublicationTooLargeException)
        {
            return JsonRequestBody.TooLarge(maxBody);
        }
    }
});
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("SensorStream");
app.Run();
return 0;

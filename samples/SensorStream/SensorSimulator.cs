using System.Buffers;
using System.Text.Json;

namespace SensorStream;

/// <summary>
/// With <c>--simulate</c>: a data source inside the sample, so the stream is live without anyone posting. Every
/// <c>--SensorStream:SimulateInterval</c> (default one second) each of three sensors takes a step of a bounded random
/// walk and its reading goes through <see cref="SensorStreamHandler.AcceptAsync"/>, the path a posted reading takes
/// (validated, <c>sensor_status</c> online first, broadcast).
/// </summary>
public sealed partial class SensorSimulator(SensorStreamHandler stream, TimeProvider time, TimeSpan interval, ILogger<SensorSimulator> logger) : BackgroundService
{
    private readonly SimulatedSensor[] _sensors =
    [
        new(1, "moisture_level", "basement_wall", "%", 75.5, 0, 100, 0.8),
        new(2, "temperature", "living_room", "°C", 21.0, 10, 35, 0.2),
        new(3, "humidity", "attic", "%", 48.0, 0, 100, 0.6),
    ];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var sensor in _sensors)
                {
                    using var body = JsonDocument.Parse(sensor.NextReading(time.GetUtcNow()));
                    var (_, error) = await stream.AcceptAsync(body.RootElement);
                    if (error is not null)
                    {
                        LogReadingRefused(logger, sensor.Id, error); // A bug in the simulator, not the input.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    /// <summary>One simulated sensor: a random walk of <c>step</c> at most per reading, kept within <c>min</c> to <c>max</c>.</summary>
    private sealed class SimulatedSensor(long id, string type, string location, string unit, double start, double min, double max, double step)
    {
        private double _value = start;

        public long Id => id;

        public ReadOnlyMemory<byte> NextReading(DateTimeOffset now)
        {
            _value = Math.Clamp(_value + ((Random.Shared.NextDouble() * 2) - 1) * step, min, max);
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("sensor_id", id);
                writer.WriteString("type", type);
                writer.WriteString("location", location);
                writer.WriteNumber("value", Math.Round(_value, 1));
                writer.WriteString("unit", unit);
                writer.WriteNumber("confidence", 0.95);
                writer.WriteStartObject("extras_json");
                writer.WriteBoolean("simulated", true);
                writer.WriteEndObject();
                writer.WriteString("timestamp", ReadingValidator.Iso8601(now));
                writer.WriteEndObject();
            }

            return buffer.WrittenMemory;
        }
    }
}


using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Switchboard.Client;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard simulate sensors</c>: publishes plausible sensor readings (a slow random walk around a typical value
/// per kind, with a daily swing) to <c>sensors.&lt;place&gt;.&lt;kind&gt;</c>, for the <c>/sensors</c> page and demos.
/// Data: <c>{"value": 21.37, "unit": "°C", "ts": &lt;unix ms&gt;}</c>.
/// </summary>
internal static class SimulateCommand
{
    private static readonly SensorKind[] Kinds =
    [
        new("temperature", "°C", 21, 0.15, 15, 30),
        new("humidity", "%", 45, 0.6, 20, 80),
        new("co2", "ppm", 650, 12, 400, 1600),
        new("power", "W", 320, 25, 40, 2500),
    ];

    private static readonly string[] Places = ["kitchen", "office", "basement", "garage", "attic", "garden"];

    public static Command Create()
    {
        var sensors = new Option<int>("--sensors") { Description = "How many sensors to simulate (1-24).", DefaultValueFactory = _ => 4 };
        var interval = new Option<double>("--interval") { Description = "Seconds between two readings of one sensor.", DefaultValueFactory = _ => 1 };
        var count = new Option<int?>("--count") { Description = "Readings per sensor before exiting. Default: until Ctrl+C." };
        var shared = new ClientCommandOptions();
        var sensorsCommand = new Command("sensors", "Publish plausible readings to sensors.<place>.<kind> until Ctrl+C (watch them on /sensors).") { sensors, interval, count };
        shared.AddTo(sensorsCommand);
        sensorsCommand.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(sensors);
            var seconds = parse.GetValue(interval);
            if (n is < 1 or > 24 || seconds is <= 0 or > 3600 || parse.GetValue(count) is <= 0)
            {
                await Console.Error.WriteLineAsync("switchboard: --sensors must be 1-24, --interval 0-3600 seconds, --count positive").ConfigureAwait(false);
                return 2;
            }

            SwitchboardClientOptions options;
            try
            {
                options = shared.Build(parse, new ReconnectPolicy());
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            await using var client = new SwitchboardClient(options);
            ClientCommandOptions.ReportStateOnStderr(client);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                await RunAsync(client, CreateSensors(n), TimeSpan.FromSeconds(seconds), parse.GetValue(count), cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (OperationCanceledException)
            {
                return 0; // Ctrl+C is how the simulation normally ends.
            }
            catch (SwitchboardException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return new Command("simulate", "Simulate traffic for demos and the built-in pages.") { sensorsCommand };
    }

    private static List<Sensor> CreateSensors(int count)
    {
        var list = new List<Sensor>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[i % Kinds.Length];
            var place = Places[i / Kinds.Length % Places.Length] + (i >= Kinds.Length * Places.Length ? (i / (Kinds.Length * Places.Length) + 1).ToString(CultureInfo.InvariantCulture) : "");
            list.Add(new Sensor($"sensors.{place}.{kind.Name}", kind, kind.Typical + (Random.Shared.NextDouble() - 0.5) * kind.Step * 10));
        }

        return list;
    }

    private static async Task RunAsync(SwitchboardClient client, List<Sensor> sensors, TimeSpan interval, int? count, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        for (var round = 0; count is null || round < count; round++)
        {
            var publishes = new List<Task<PublishResult>>(sensors.Count);
            foreach (var sensor in sensors)
            {
                var data = JsonSerializer.SerializeToElement(new SensorReading(Math.Round(sensor.Next(), 2), sensor.Kind.Unit, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), HostJsonContext.Default.SensorReading);
                publishes.Add(client.PublishAsync(sensor.Channel, data, cancellationToken));
            }

            await Task.WhenAll(publishes).ConfigureAwait(false);
            Console.Out.WriteLine($"round {round + 1}: {sensors.Count} readings");
            if (count is { } total && round + 1 >= total)
            {
                break;
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A kind of sensor: its typical value, the size of one random step, and the physical bounds.</summary>
    private sealed record SensorKind(string Name, string Unit, double Typical, double Step, double Min, double Max);

    /// <summary>One simulated sensor: a random walk pulled back towards the typical value, plus a slow daily swing.</summary>
    private sealed class Sensor(string channel, SensorKind kind, double start)
    {
        private double _value = start;

        public string Channel { get; } = channel;

        public SensorKind Kind { get; } = kind;

        public double Next()
        {
            var pull = (Kind.Typical - _value) * 0.05;
            var swing = Math.Sin(DateTimeOffset.UtcNow.TimeOfDay.TotalHours / 24 * 2 * Math.PI) * Kind.Step * 0.5;
            _value = Math.Clamp(_value + pull + swing + (Random.Shared.NextDouble() * 2 - 1) * Kind.Step, Kind.Min, Kind.Max);
            return _value;
        }
    }
}

/// <summary>A simulated reading as published: the value, its unit and when it was taken (unix ms).</summary>
internal sealed record SensorReading(double Value, string Unit, long Ts);

using System.Text.Json;
using Switchboard.Server.Handlers;

namespace SensorStream;

/// <summary>
/// The sensor stream of seed 001 at <c>ws /api/ws/sensor/stream</c>: every connected client receives each accepted
/// reading as <c>{"type":"sensor_reading","data":{...}}</c>, and <c>sensor_status</c> when a sensor starts or stops
/// reporting. Clients only listen; a message from them gets <c>{"type":"error","message":"Unknown message type"}</c>.
/// Readings come in over HTTP (<see cref="AcceptAsync"/>); broadcasts go through the broker, so with Redis every node's
/// clients get every reading.
/// </summary>
public sealed class SensorStreamHandler(SensorActivity activity, TimeProvider time) : SwitchboardHandler
{
    private long _lastId;

    /// <summary>Validates a posted reading; broadcasts it (after <c>sensor_status</c> online for a new sensor) or says what is wrong.</summary>
    public async ValueTask<(SensorReading? Reading, string? Error)> AcceptAsync(JsonElement body)
    {
        var now = time.GetUtcNow();
        var (reading, error) = ReadingValidator.Validate(body, () => Interlocked.Increment(ref _lastId), now);
        if (reading is null)
        {
            return (null, error);
        }

        if (activity.Record(reading.SensorId, now) is { } online)
        {
            await BroadcastAsync(online);
        }

        await Clients.All.SendAsync(new StreamMessage<SensorReading>("sensor_reading", reading), SensorJsonContext.Default.StreamMessageSensorReading);
        return (reading, null);
    }

    /// <summary>Sends <c>{"type":"sensor_status","data":...}</c> to every client.</summary>
    public ValueTask BroadcastAsync(SensorStatus status) =>
        Clients.All.SendAsync(new StreamMessage<SensorStatus>("sensor_status", status), SensorJsonContext.Default.StreamMessageSensorStatus);
}

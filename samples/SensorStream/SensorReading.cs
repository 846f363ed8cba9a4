using System.Text.Json;
using System.Text.Json.Serialization;

namespace SensorStream;

/// <summary>One stored sensor reading, with exactly the fields of the seed's <c>sensor_reading</c> message.</summary>
public sealed record SensorReading(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("sensor_id")] long SensorId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("confidence")] double? Confidence,
    [property: JsonPropertyName("calibration_json")] JsonElement? CalibrationJson,
    [property: JsonPropertyName("extras_json")] JsonElement? ExtrasJson,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("created_at")] string CreatedAt);

/// <summary>A sensor that started or stopped reporting: the <c>data</c> of a <c>sensor_status</c> message.</summary>
public sealed record SensorStatus(
    [property: JsonPropertyName("sensor_id")] long SensorId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("last_reading_at")] string LastReadingAt,
    [property: JsonPropertyName("timestamp")] string Timestamp);

/// <summary>A message on the stream: <c>{"type":"sensor_reading"|"sensor_status"|"error","data":...}</c>.</summary>
public sealed record StreamMessage<T>(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("data")] T Data);

/// <summary>Source-generated JSON for every message the sample writes.</summary>
[JsonSerializable(typeof(SensorReading))]
[JsonSerializable(typeof(StreamMessage<SensorReading>))]
[JsonSerializable(typeof(StreamMessage<SensorStatus>))]
public sealed partial class SensorJsonContext : JsonSerializerContext;

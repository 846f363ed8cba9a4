using System.Globalization;
using System.Text.Json;

namespace SensorStream;

/// <summary>
/// Checks a reading posted to <c>POST /api/sensors/readings</c> and names the first thing wrong with it. The server
/// assigns <c>id</c> and <c>created_at</c>, so a body carrying them is refused rather than silently overwritten.
/// </summary>
public static class ReadingValidator
{
    private static readonly HashSet<string> Known =
        ["sensor_id", "type", "location", "value", "unit", "confidence", "calibration_json", "extras_json", "timestamp"];

    /// <summary>Returns the reading (with <paramref name="id"/> and <paramref name="createdAt"/>) or the reason it is invalid.</summary>
    public static (SensorReading? Reading, string? Error) Validate(JsonElement body, Func<long> id, DateTimeOffset createdAt)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "the body must be a JSON object");
        }

        foreach (var property in body.EnumerateObject())
        {
            if (property.Name is "id" or "created_at")
            {
                return (null, $"{property.Name} is assigned by the server and must not be sent");
            }

            if (!Known.Contains(property.Name))
            {
                return (null, $"unknown field '{property.Name}'");
            }
        }

        if (!body.TryGetProperty("sensor_id", out var sensor) || sensor.ValueKind != JsonValueKind.Number || !sensor.TryGetInt64(out var sensorId) || sensorId <= 0)
        {
            return (null, "sensor_id must be a positive integer");
        }

        if (Text(body, "type") is not { } type || Text(body, "location") is not { } location || Text(body, "unit") is not { } unit)
        {
            return (null, "type, location and unit must be non-empty strings");
        }

        if (!body.TryGetProperty("value", out var valueElement) || valueElement.ValueKind != JsonValueKind.Number || !double.IsFinite(valueElement.GetDouble()))
        {
            return (null, "value must be a number");
        }

        double? confidence = null;
        if (body.TryGetProperty("confidence", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Number || c.GetDouble() is < 0 or > 1)
            {
                return (null, "confidence must be a number from 0 to 1");
            }

            confidence = c.GetDouble();
        }

        if (!ObjectOrNull(body, "calibration_json", out var calibration) || !ObjectOrNull(body, "extras_json", out var extras))
        {
            return (null, "calibration_json and extras_json must be JSON objects when given");
        }

        if (Text(body, "timestamp") is not { } timestamp
            || !DateTimeOffset.TryParseExact(timestamp, ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return (null, "timestamp must be an ISO-8601 date and time with a zone, e.g. 2024-01-15T12:00:00Z");
        }

        return (new SensorReading(id(), sensorId, type, location, valueElement.GetDouble(), unit, confidence, calibration, extras, timestamp, Iso8601(createdAt)), null);
    }

    /// <summary>The ISO-8601 UTC form the sample writes times in.</summary>
    public static string Iso8601(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : null;

    private static bool ObjectOrNull(JsonElement body, string name, out JsonElement? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        value = e.Clone();
        return e.ValueKind == JsonValueKind.Object;
    }
}

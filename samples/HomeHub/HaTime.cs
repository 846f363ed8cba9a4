using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeHub;

/// <summary>
/// Time as Home Assistant keeps it: UTC to the microsecond, written ISO-8601 with a <c>+00:00</c> offset in full states
/// and events, and as seconds since the epoch (a JSON number with a fraction) in compressed states.
/// </summary>
public static class HaTime
{
    /// <summary>Now, cut to the microsecond, so that its text and its timestamp say the same instant.</summary>
    public static DateTimeOffset Now()
    {
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    /// <summary>Home Assistant's text form, e.g. <c>2024-01-01T12:00:00.123456+00:00</c>.</summary>
    public static string Text(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Seconds since the epoch, as Python's <c>datetime.timestamp()</c> gives them for <c>lc</c> and <c>lu</c>: whole
    /// microseconds (exact in a double) divided by a million, so both round to the same double.
    /// </summary>
    public static double Timestamp(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond) / 1e6;
}

/// <summary>Writes and reads <see cref="DateTimeOffset"/> as <see cref="HaTime.Text"/>.</summary>
public sealed class HaTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(HaTime.Text(value));
}

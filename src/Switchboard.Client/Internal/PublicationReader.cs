using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>Reads the publication objects of <c>message</c> and of history and recovery results.</summary>
internal static class PublicationReader
{
    /// <summary>Reads one publication; the data is deserialized with <paramref name="typeInfo"/> (which may throw <see cref="JsonException"/>).</summary>
    public static Publication<T> Read<T>(JsonElement p, JsonTypeInfo<T> typeInfo, string defaultChannel, bool followsGap)
    {
        PublisherInfo? from = null;
        if (p.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            from = new PublisherInfo(
                f.TryGetProperty("client", out var c) ? c.GetString() ?? "" : "",
                f.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null);
        }

        return new Publication<T>(
            p.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.String ? ch.GetString()! : defaultChannel,
            p.TryGetProperty("data", out var data) ? data.Deserialize(typeInfo)! : default!,
            Offset(p),
            Epoch(p),
            from,
            p.TryGetProperty("ts", out var ts) && ts.TryGetInt64(out var t) ? t : 0,
            followsGap);
    }

    public static long Offset(JsonElement element) =>
        element.TryGetProperty("offset", out var o) && o.TryGetInt64(out var offset) ? offset : 0;

    public static string Epoch(JsonElement element) =>
        element.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "";

    public static StreamPosition Position(JsonElement element) => new(Offset(element), Epoch(element));
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>Turns the protocol's publications (decoded by <see cref="ServerMessageReader"/>) into the application's typed ones.</summary>
internal static class PublicationReader
{
    /// <summary>Deserializes the data with <paramref name="typeInfo"/> (which may throw <see cref="JsonException"/>).</summary>
    public static Publication<T> Read<T>(Protocol.Publication p, JsonTypeInfo<T> typeInfo, bool followsGap) =>
        new(p.Channel, JsonSerializer.Deserialize(p.Data.Span, typeInfo)!, p.Offset, p.Epoch, p.From, p.Timestamp, followsGap);

    /// <summary>A raw JSON value as a <see cref="JsonElement"/> that owns its memory.</summary>
    public static JsonElement Element(ReadOnlyMemory<byte> json) =>
        json.IsEmpty ? default : JsonSerializer.Deserialize(json.Span, ClientJsonContext.Default.JsonElement);

    public static PresenceClient PresenceClient(PresenceMember member) => new(member.Client, member.User, Element(member.Info));
}

using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>
/// Writes the bodies of successful results, inside <c>"result":{...}</c> (use with
/// <see cref="MessageWriter.WriteSuccess{TState}"/>). <see cref="ReplyReader"/> reads them back.
/// </summary>
/// <remarks>Thread safety: stateless, safe to call from many threads.</remarks>
public static class ReplyWriter
{
    /// <summary>Writes a subscribe result: <c>channel</c>, then for a concrete channel <c>offset</c> and <c>epoch</c>, then for a subscribe with <c>since</c> <c>recovered</c> and <c>publications</c>, then the backend's <c>data</c> when there is one.</summary>
    public static void WriteSubscribe(Utf8JsonWriter w, SubscribeReply reply)
    {
        w.WriteString(JsonNames.Channel, reply.Channel);
        if (reply.Position is { } position)
        {
            MessageWriter.WritePosition(w, position);
        }

        if (reply.Recovered is { } recovered)
        {
            w.WriteBoolean(JsonNames.Recovered, recovered);
            MessageWriter.WritePublications(w, recovered ? reply.Publications : []);
        }

        if (!reply.Data.IsEmpty)
        {
            w.WritePropertyName(JsonNames.Data);
            w.WriteRawValue(reply.Data.Span, skipInputValidation: true); // Parsed when the backend's answer was read.
        }
    }

    /// <summary>Writes a history result: <c>publications</c>, <c>offset</c>, <c>epoch</c>, and <c>"recovered":false</c> when incomplete.</summary>
    public static void WriteHistory(Utf8JsonWriter w, HistoryReply reply)
    {
        MessageWriter.WritePublications(w, reply.Publications);
        MessageWriter.WritePosition(w, reply.Position);
        if (!reply.Complete)
        {
            w.WriteBoolean(JsonNames.Recovered, false);
        }
        else if (reply.More)
        {
            w.WriteBoolean(JsonNames.More, true);
        }
    }

    /// <summary>Writes a publish result: <c>offset</c>.</summary>
    public static void WritePublish(Utf8JsonWriter w, long offset) => w.WriteNumber(JsonNames.Offset, offset);

    /// <summary>Writes a presence result: <c>clients</c>.</summary>
    public static void WritePresence(Utf8JsonWriter w, IReadOnlyList<PresenceMember> clients)
    {
        w.WriteStartArray(JsonNames.Clients);
        foreach (var member in clients)
        {
            MessageWriter.WritePresenceEntry(w, member.Client, member.User, member.Info.Span);
        }

        w.WriteEndArray();
    }

    /// <summary>Writes a refresh result: <c>expires</c>, Unix seconds or <c>null</c> for a token without expiry.</summary>
    public static void WriteRefresh(Utf8JsonWriter w, long? expires)
    {
        if (expires is { } value)
        {
            w.WriteNumber(JsonNames.Expires, value);
        }
        else
        {
            w.WriteNull(JsonNames.Expires);
        }
    }
}

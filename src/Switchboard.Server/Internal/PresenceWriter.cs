using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Presence;

namespace Switchboard.Server.Internal;

/// <summary>Writes presence entries as <c>"clients":[{"client","user","info"}]</c>, for the WebSocket and HTTP APIs alike.</summary>
internal static class PresenceWriter
{
    public static void WriteClients(Utf8JsonWriter w, IReadOnlyList<PresenceEntry> clients)
    {
        w.WriteStartArray("clients");
        foreach (var entry in clients)
        {
            MessageWriter.WritePresenceEntry(w, entry.Client, entry.User, entry.Info.Span);
        }

        w.WriteEndArray();
    }
}

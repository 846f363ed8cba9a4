using System.Globalization;
using System.Text.Json;
using Switchboard.Server.Internal;

namespace Switchboard.Server.HttpApi;

/// <summary>Writes a node's traffic counters into the <c>info</c> answer: totals, so that a reader computes rates.</summary>
internal static class TrafficWriter
{
    public static void Write(Utf8JsonWriter w, NodeTraffic traffic)
    {
        w.WriteNumber("messagesIn", traffic.MessagesIn);
        w.WriteNumber("messagesOut", traffic.MessagesOut);
        w.WriteStartObject("closes");
        foreach (var (code, count) in traffic.Closes)
        {
            w.WriteNumber(code.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
        w.WriteStartArray("errors");
        foreach (var error in traffic.RecentErrors)
        {
            w.WriteStartObject();
            w.WriteNumber("ts", error.Ts);
            w.WriteString("command", error.Command);
            w.WriteString("code", error.Code);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}

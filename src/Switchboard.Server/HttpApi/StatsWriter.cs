using System.Text.Json;

namespace Switchboard.Server.HttpApi;

/// <summary>Writes node and cluster stats for the HTTP API's <c>info</c>.</summary>
internal static class StatsWriter
{
    /// <summary>One node's counters as properties of the current object.</summary>
    public static void WriteNode(Utf8JsonWriter w, NodeStats stats)
    {
        w.WriteString("node", stats.Node);
        w.WriteNumber("connections", stats.Connections);
        w.WriteNumber("channels", stats.Channels);
        w.WriteNumber("subscriptions", stats.Subscriptions);
        w.WriteNumber("uptime", stats.UptimeSeconds);
        w.WriteBoolean("draining", stats.Draining);
    }

    /// <summary><c>"cluster"</c>: every node that answered the survey (the asking one first), the totals over them, and the nodes that did not answer.</summary>
    public static void WriteCluster(Utf8JsonWriter w, ClusterStats cluster)
    {
        w.WriteStartObject("cluster");
        w.WriteNumber("connections", cluster.Connections);
        w.WriteNumber("subscriptions", cluster.Subscriptions);
        w.WriteStartArray("nodes");
        foreach (var node in cluster.Nodes)
        {
            w.WriteStartObject();
            WriteNode(w, node);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("unanswered");
        foreach (var node in cluster.Unanswered)
        {
            w.WriteStringValue(node);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}

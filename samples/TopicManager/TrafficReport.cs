using System.Text.Json.Serialization;

namespace TopicManager;

/// <summary>
/// What <c>ws /api/ws/traffic</c> sends once a second:
/// <c>{"type":"traffic","timestamp":...,"connections":2,"topics":[{"topic":"alerts","subscribers":1,"messages":3}],"topic_count":1}</c>.
/// </summary>
/// <param name="Type">Always <c>traffic</c>.</param>
/// <param name="Timestamp">When the report was taken (ISO-8601, UTC).</param>
/// <param name="Connections">Clients connected to <c>/ws/{client_id}</c> on this node now.</param>
/// <param name="Topics">The topics with subscribers here or messages in the last second, busiest first, at most <see cref="TopicTraffic.MaxReportedTopics"/>.</param>
/// <param name="TopicCount">How many such topics there were (more than <paramref name="Topics"/> lists when it was cut).</param>
public sealed record TrafficReport(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("topics")] IReadOnlyList<TopicTrafficEntry> Topics,
    [property: JsonPropertyName("topic_count")] int TopicCount);

/// <summary>One topic in a <see cref="TrafficReport"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Subscribers">Clients of this node subscribed to it now.</param>
/// <param name="Messages">Messages published to it through this node since the last report (one second).</param>
public sealed record TopicTrafficEntry(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("subscribers")] int Subscribers,
    [property: JsonPropertyName("messages")] long Messages);

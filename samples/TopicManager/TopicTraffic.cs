namespace TopicManager;

/// <summary>
/// The traffic this node's topic endpoint handles, for <c>ws /api/ws/traffic</c>: open connections on
/// <c>/ws/{client_id}</c>, and per topic its subscribers here and the messages published to it through this node
/// since the last report. <see cref="Report"/> reads and resets the message counts once a second.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called from many threads at once. One short lock guards the counts: each
/// call does a dictionary lookup and an increment under it and never awaits, so publishers and the reporter cannot
/// lose an update between them (a lock-free map would need a removal that races with a concurrent increment).
/// </remarks>
public sealed class TopicTraffic
{
    /// <summary>The most topics one report lists (the busiest first); <see cref="TrafficReport.TopicCount"/> says how many there were.</summary>
    public const int MaxReportedTopics = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, TopicCounts> _topics = new(StringComparer.Ordinal);
    private int _connections;

    /// <summary>A client connected to <c>/ws/{client_id}</c>.</summary>
    public void Connected() => Interlocked.Increment(ref _connections);

    /// <summary>A client left; it was subscribed to <paramref name="topics"/>.</summary>
    public void Disconnected(IEnumerable<string> topics)
    {
        Interlocked.Decrement(ref _connections);
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                Counts(topic).Subscribers--;
            }
        }
    }

    /// <summary>A client subscribed to <paramref name="topic"/> (it was not before).</summary>
    public void Subscribed(string topic)
    {
        lock (_lock)
        {
            Counts(topic).Subscribers++;
        }
    }

    /// <summary>A client unsubscribed from <paramref name="topic"/> (it was subscribed).</summary>
    public void Unsubscribed(string topic)
    {
        lock (_lock)
        {
            Counts(topic).Subscribers--;
        }
    }

    /// <summary>A message was published to <paramref name="topic"/> through this node.</summary>
    public void Published(string topic)
    {
        lock (_lock)
        {
            Counts(topic).Messages++;
        }
    }

    /// <summary>
    /// The traffic since the last call: connections now, and the topics with subscribers or messages, the busiest
    /// first. Resets the message counts and forgets topics that have neither, so the map holds only live topics.
    /// </summary>
    public TrafficReport Report(DateTimeOffset now)
    {
        List<TopicTrafficEntry> topics;
        lock (_lock)
        {
            topics = new List<TopicTrafficEntry>(_topics.Count);
            foreach (var (topic, counts) in _topics)
            {
                if (counts.Subscribers == 0 && counts.Messages == 0)
                {
                    _topics.Remove(topic);
                    continue;
                }

                topics.Add(new TopicTrafficEntry(topic, counts.Subscribers, counts.Messages));
                counts.Messages = 0;
            }
        }

        topics.Sort(static (a, b) => b.Messages != a.Messages ? b.Messages.CompareTo(a.Messages)
            : b.Subscribers != a.Subscribers ? b.Subscribers.CompareTo(a.Subscribers)
            : string.CompareOrdinal(a.Topic, b.Topic));
        var count = topics.Count;
        if (count > MaxReportedTopics)
        {
            topics.RemoveRange(MaxReportedTopics, count - MaxReportedTopics);
        }

        return new TrafficReport("traffic", Iso8601(now), Volatile.Read(ref _connections), topics, count);
    }

    private TopicCounts Counts(string topic)
    {
        if (!_topics.TryGetValue(topic, out var counts))
        {
            counts = new TopicCounts();
            _topics.Add(topic, counts);
        }

        return counts;
    }

    private static string Iso8601(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class TopicCounts
    {
        public int Subscribers;
        public long Messages;
    }
}

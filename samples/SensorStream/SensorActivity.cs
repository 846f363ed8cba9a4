using System.Collections.Concurrent;

namespace SensorStream;

/// <summary>
/// Which sensors are reporting: a sensor is online from its first reading until it has sent none for
/// <c>--SensorStream:OfflineAfter</c> (default one minute). Readings posted to this node are the ones it knows.
/// Thread safety: every member may be called from many threads at once.
/// </summary>
public sealed class SensorActivity(TimeSpan offlineAfter)
{
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastReading = new();

    /// <summary>How long a sensor may be silent before it is reported offline.</summary>
    public TimeSpan OfflineAfter { get; } = offlineAfter;

    /// <summary>Records a reading; returns the <c>online</c> status when the sensor was not reporting before.</summary>
    public SensorStatus? Record(long sensorId, DateTimeOffset at)
    {
        var wasOnline = true;
        _lastReading.AddOrUpdate(sensorId, _ => { wasOnline = false; return at; }, (_, _) => at);
        return wasOnline ? null : Status(sensorId, "online", at, at);
    }

    /// <summary>Forgets the sensors silent for longer than <see cref="OfflineAfter"/> and returns their <c>offline</c> statuses.</summary>
    public List<SensorStatus> Expire(DateTimeOffset now)
    {
        var offline = new List<SensorStatus>();
        foreach (var (sensorId, last) in _lastReading)
        {
            // Removing only the exact entry seen keeps a reading that arrives meanwhile from being lost.
            if (now - last > OfflineAfter && _lastReading.TryRemove(new KeyValuePair<long, DateTimeOffset>(sensorId, last)))
            {
                offline.Add(Status(sensorId, "offline", last, now));
            }
        }

        return offline;
    }

    private static SensorStatus Status(long sensorId, string status, DateTimeOffset last, DateTimeOffset now) =>
        new(sensorId, status, ReadingValidator.Iso8601(last), ReadingValidator.Iso8601(now));
}

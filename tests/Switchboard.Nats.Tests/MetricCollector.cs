using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Nats.Internal;

namespace Switchboard.Nats.Tests;

/// <summary>Records the measurements of one instrument of one node's bridge (its own meter, so nodes in one process don't mix).</summary>
internal sealed class MetricCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricCollector(TestServer server, string instrument)
    {
        var meter = server.Services.GetRequiredService<NatsBridgeMetrics>().Meter;
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (ReferenceEquals(i.Meter, meter) && i.Name == instrument)
            {
                listener.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => _measurements.Enqueue((value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of the measurements, optionally only those with tag <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public long Sum(string? tag = null, string? value = null) =>
        _measurements.Where(m => tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))).Sum(static m => m.Value);

    public void Dispose() => _listener.Dispose();
}

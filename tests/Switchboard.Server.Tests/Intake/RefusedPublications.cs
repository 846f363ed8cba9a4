using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Tests.Intake;

/// <summary>Records <c>switchboard.publication.refused</c> of one server (its own meter), by reason.</summary>
internal sealed class RefusedPublications : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string?> _reasons = new();

    public RefusedPublications(TestServer server)
    {
        var meter = server.Services.GetRequiredService<SwitchboardMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "switchboard.publication.refused")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type")
                {
                    _reasons.Enqueue(tag.Value as string);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>How many were refused for <paramref name="reason"/>.</summary>
    public int Count(string reason) => _reasons.Count(r => r == reason);

    public void Dispose() => _listener.Dispose();
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// The proxy's instruments on the <c>Switchboard</c> meter: <c>switchboard.proxy.calls</c> (by kind and outcome),
/// <c>switchboard.proxy.errors</c> (by kind and reason) and <c>switchboard.proxy.duration</c> (seconds, by kind).
/// </summary>
/// <remarks>Thread safety: instruments are thread-safe.</remarks>
internal sealed class ProxyMetrics
{
    private readonly Counter<long> _calls;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public ProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(SwitchboardMetrics.MeterName);
        _calls = meter.CreateCounter<long>("switchboard.proxy.calls", "{call}", "Calls to the application's backend, by kind (switchboard.proxy.kind) and outcome (result, error, disconnect, failed).");
        _errors = meter.CreateCounter<long>("switchboard.proxy.errors", "{call}", "Proxy calls that failed (the client got unavailable), by kind and reason (error.type: timeout, circuit_open, overloaded, http_status, invalid_response, too_large, unreachable, cancelled).");
        _duration = meter.CreateHistogram<double>("switchboard.proxy.duration", "s", "How long proxy calls took, by kind.");
    }

    public static string Name(ProxyKind kind) => kind switch
    {
        ProxyKind.Connect => "connect",
        ProxyKind.Refresh => "refresh",
        ProxyKind.Subscribe => "subscribe",
        ProxyKind.Publish => "publish",
        ProxyKind.Rpc => "rpc",
        _ => "handler",
    };

    public void Completed(ProxyKind kind, ProxyOutcome outcome, long started)
    {
        var kindTag = new KeyValuePair<string, object?>("switchboard.proxy.kind", Name(kind));
        var result = outcome.FailureReason is not null ? "failed" : outcome.DisconnectCode is not null ? "disconnect" : outcome.Error is not null ? "error" : "result";
        _calls.Add(1, kindTag, new KeyValuePair<string, object?>("switchboard.proxy.outcome", result));
        if (outcome.FailureReason is { } reason)
        {
            _errors.Add(1, kindTag, new KeyValuePair<string, object?>("error.type", reason));
        }

        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, kindTag);
    }
}

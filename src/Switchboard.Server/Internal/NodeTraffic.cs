using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Internal;

/// <summary>
/// What the admin page shows of a node's traffic, read through the HTTP API's <c>info</c>: totals of messages received
/// from and sent to clients, closes by code and the most recent command errors. It listens to this host's
/// <see cref="SwitchboardMetrics"/> meter, so the numbers are the very ones /metrics exports, with no counting of its own.
/// </summary>
/// <remarks>Thread safety: every member may be called from any thread. The totals are striped by processor so that the
/// measurement callbacks, called on the hot path, never contend on one cache line.</remarks>
internal sealed class NodeTraffic : IDisposable
{
    private const int RecentErrorCount = 20;
    private readonly MeterListener _listener = new();
    private readonly Stripe[] _in = new Stripe[Environment.ProcessorCount];
    private readonly Stripe[] _out = new Stripe[Environment.ProcessorCount];
    private readonly ConcurrentDictionary<int, long> _closes = new();
    private readonly Queue<RecentError> _errors = new();
    private readonly Lock _errorsGate = new();

    public NodeTraffic(SwitchboardMetrics metrics)
    {
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name is "switchboard.message.count" or "switchboard.connection.duration" or "switchboard.commands" or "switchboard.errors")
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((NodeTraffic)state!).OnMeasurement(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>(static (instrument, _, tags, state) => ((NodeTraffic)state!).OnMeasurement(instrument.Name, 1, tags));
        _listener.Start();
    }

    /// <summary>Protocol messages received from clients since start.</summary>
    public long MessagesIn => Sum(_in);

    /// <summary>Protocol messages sent to clients since start.</summary>
    public long MessagesOut => Sum(_out);

    /// <summary>Ended connections by close code (1006: no close handshake).</summary>
    public IReadOnlyList<KeyValuePair<int, long>> Closes => [.. _closes.OrderBy(static c => c.Key)];

    /// <summary>The last errors: commands answered with an error code, and server-side failures.</summary>
    public IReadOnlyList<RecentError> RecentErrors
    {
        get
        {
            lock (_errorsGate)
            {
                return [.. _errors];
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument)
        {
            case "switchboard.message.count":
                var stripes = Tag(tags, "network.io.direction") is "receive" ? _in : _out;
                Interlocked.Add(ref stripes[Stripe.Index(stripes.Length)].Value, value);
                break;
            case "switchboard.connection.duration" when Tag(tags, "switchboard.close_code") is int code:
                // One measurement per ended connection: the histogram's count is the number of closes.
                _closes.AddOrUpdate(code, value, (_, n) => n + value);
                break;
            case "switchboard.commands" when Tag(tags, "error.type") is string error:
                Remember(new RecentError(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Tag(tags, "switchboard.command") as string, error));
                break;
            case "switchboard.errors":
                Remember(new RecentError(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Tag(tags, "error.type") as string ?? "internal"));
                break;
        }
    }

    private void Remember(RecentError error)
    {
        lock (_errorsGate)
        {
            if (_errors.Count == RecentErrorCount)
            {
                _errors.Dequeue();
            }

            _errors.Enqueue(error);
        }
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private static long Sum(Stripe[] stripes)
    {
        long total = 0;
        for (var i = 0; i < stripes.Length; i++)
        {
            total += Volatile.Read(ref stripes[i].Value);
        }

        return total;
    }

    /// <summary>An error: when (unix ms), for which command type (null for a server-side failure), its code.</summary>
    public readonly record struct RecentError(long Ts, string? Command, string Code);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 64)]
    private struct Stripe
    {
        [System.Runtime.InteropServices.FieldOffset(0)]
        public long Value;

        public static int Index(int length) => Thread.GetCurrentProcessorId() % length;
    }
}

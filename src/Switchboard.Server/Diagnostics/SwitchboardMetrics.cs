using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// Switchboard's instruments on the meter <c>Switchboard</c> (<see cref="MeterName"/>), named by OpenTelemetry's
/// conventions: dotted lower-case names in singular namespaces (<c>switchboard.connection.active</c>), counts of events
/// plural or a participle (<c>switchboard.commands</c>, <c>switchboard.connection.opened</c>), one instrument with
/// <c>network.io.direction</c> for a flow both ways (<c>switchboard.io</c>), units in UCUM (<c>s</c>, <c>By</c>,
/// <c>{connection}</c>), tags as attributes. docs/observability.md lists each one with its Prometheus name, and the
/// names they had before 1.0. Any <c>System.Diagnostics.Metrics</c> listener reads them: OpenTelemetry (the
/// <c>/metrics</c> scrape endpoint of <c>serve</c>, OTLP), <c>dotnet-counters</c>, or a <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// Recording is allocation-free: at most two tags, tag values from a small fixed set (command types, directions,
/// error and close codes). Thread safety: every member may be called from many threads at once.
/// </remarks>
public sealed class SwitchboardMetrics : IDisposable
{
    /// <summary>The meter's name, to enable with OpenTelemetry's <c>AddMeter("Switchboard")</c>.</summary>
    public const string MeterName = "Switchboard";

    private readonly Meter _meter;
    private static readonly KeyValuePair<string, object?> Receive = new("network.io.direction", "receive");
    private static readonly KeyValuePair<string, object?> Transmit = new("network.io.direction", "transmit");

    private readonly UpDownCounter<long> _activeConnections;
    private readonly Counter<long> _connectionsOpened;
    private readonly Histogram<double> _connectionDuration;
    private readonly UpDownCounter<long> _activeSubscriptions;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _io;
    private readonly Counter<long> _publications;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _slowConsumerCloses;
    private readonly Counter<long> _recoveries;
    private readonly Counter<long> _brokerRoundTrips;
    private readonly Histogram<double> _brokerDuration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _gapsHealed;
    private readonly Counter<long> _publicationsRefused;
    private Func<long> _activeChannels = static () => 0;
    private Func<long> _queuedBytes = static () => 0;

    /// <summary>This host's meter (the HTTP API's <c>info</c> listens to it for the admin page).</summary>
    internal Meter Meter => _meter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (so each host has its own).</summary>
    public SwitchboardMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _activeConnections = _meter.CreateUpDownCounter<long>("switchboard.connection.active", "{connection}", "WebSocket connections open now (admitted, not yet closed).");
        _connectionsOpened = _meter.CreateCounter<long>("switchboard.connection.opened", "{connection}", "Connections admitted since start.");
        _connectionDuration = _meter.CreateHistogram<double>("switchboard.connection.duration", "s", "How long connections lasted, from admission to close, by WebSocket close code (switchboard.close_code; 1006: aborted without one).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400] });
        _activeSubscriptions = _meter.CreateUpDownCounter<long>("switchboard.subscription.active", "{subscription}", "Subscriptions held by this node's connections now.");
        _meter.CreateObservableUpDownCounter("switchboard.channel.active", () => _activeChannels(), "{channel}", "Channels and patterns with at least one local subscriber now.");
        _messages = _meter.CreateCounter<long>("switchboard.message.count", "{message}", "Protocol messages received from clients (network.io.direction receive) and queued to them (transmit; a batched frame counts each message in it).");
        _io = _meter.CreateCounter<long>("switchboard.io", "By", "Bytes of protocol messages received from clients (network.io.direction receive) and queued to them (transmit).");
        _publications = _meter.CreateCounter<long>("switchboard.publications", "{publication}", "Publications made through this node (clients, ISwitchboard, the HTTP API); duplicates by idempotency key not counted.");
        _deliveries = _meter.CreateCounter<long>("switchboard.deliveries", "{delivery}", "Publications handed to local subscribers' queues (one per subscriber).");
        _commands = _meter.CreateCounter<long>("switchboard.commands", "{command}", "Client commands handled, by switchboard.command (type) and error.type (the error code; absent when it succeeded).");
        _commandDuration = _meter.CreateHistogram<double>("switchboard.command.duration", "s", "Time from a command's receipt to its reply being queued, by switchboard.command.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _slowConsumerCloses = _meter.CreateCounter<long>("switchboard.slow_consumer.closes", "{connection}", "Connections closed with 4003 because their outgoing queue overflowed.");
        _recoveries = _meter.CreateCounter<long>("switchboard.recoveries", "{recovery}", "Subscribes with since, by switchboard.recovered (true: every missed publication delivered; false: the client must reload).");
        _meter.CreateObservableUpDownCounter("switchboard.outgoing_queue.size", () => _queuedBytes(), "By", "Bytes waiting in all connections' outgoing queues now.");
        _brokerRoundTrips = _meter.CreateCounter<long>("switchboard.broker.operations", "{operation}", "Calls to the broker (publish, subscribe, unsubscribe, history), by switchboard.broker.operation and error.type when it failed.");
        _brokerDuration = _meter.CreateHistogram<double>("switchboard.broker.duration", "s", "Broker round-trip time, by switchboard.broker.operation.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _errors = _meter.CreateCounter<long>("switchboard.errors", "{error}", "Server-side failures (an exception in a command, a handler or the broker), by error.type.");
        _publicationsRefused = _meter.CreateCounter<long>("switchboard.publication.refused", "{publication}", "Publications and server sends refused at intake before anything was stored, by error.type (too_large: more than a subscriber can receive; invalid_json: not one JSON value in valid UTF-8).");
        _gapsHealed = _meter.CreateCounter<long>("switchboard.gap.healed", "{gap}", "Stream gaps a node repaired from history before its subscribers saw them.");
    }

    /// <summary>Lets the observable instruments read the node's current state (called once by the node).</summary>
    internal void Observe(Func<long> activeChannels, Func<long> queuedBytes)
    {
        _activeChannels = activeChannels;
        _queuedBytes = queuedBytes;
    }

    /// <summary>A connection was admitted; returns the timestamp to give <see cref="ConnectionClosed"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long ConnectionOpened()
    {
        _activeConnections.Add(1);
        _connectionsOpened.Add(1);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>An admitted connection, opened at <paramref name="openedTimestamp"/>, ended with <paramref name="closeCode"/> (1006 when it was aborted without one).</summary>
    public void ConnectionClosed(int closeCode, long openedTimestamp)
    {
        _activeConnections.Add(-1);
        _connectionDuration.Record(Stopwatch.GetElapsedTime(openedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("switchboard.close_code", closeCode));
        if (closeCode == 4003)
        {
            _slowConsumerCloses.Add(1);
        }
    }

    /// <summary>A connection subscribed (+1) or unsubscribed (-1).</summary>
    public void SubscriptionsChanged(int delta) => _activeSubscriptions.Add(delta);

    /// <summary>A client message of <paramref name="bytes"/> bytes arrived.</summary>
    public void MessageReceived(int bytes)
    {
        _messages.Add(1, Receive);
        _io.Add(bytes, Receive);
    }

    /// <summary><paramref name="messages"/> messages, <paramref name="bytes"/> bytes in all, were written to a client.</summary>
    public void MessagesSent(int messages, long bytes)
    {
        _messages.Add(messages, Transmit);
        _io.Add(bytes, Transmit);
    }

    /// <summary>A publication was made (not a duplicate).</summary>
    public void Published() => _publications.Add(1);

    /// <summary>
    /// A publication was queued for <paramref name="subscribers"/> local subscribers, <paramref name="bytes"/> bytes in
    /// all: deliveries, and messages and bytes sent.
    /// </summary>
    public void Delivered(int subscribers, long bytes)
    {
        if (subscribers > 0)
        {
            _deliveries.Add(subscribers);
            _messages.Add(subscribers, Transmit);
            _io.Add(bytes, Transmit);
        }
    }

    /// <summary>A command of <paramref name="type"/> finished, with <paramref name="errorCode"/> when it failed, after <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void CommandCompleted(string type, string? errorCode, long startTimestamp)
    {
        var command = new KeyValuePair<string, object?>("switchboard.command", type);
        if (errorCode is null)
        {
            _commands.Add(1, command);
        }
        else
        {
            _commands.Add(1, command, new KeyValuePair<string, object?>("error.type", errorCode));
        }

        _commandDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, command);
    }

    /// <summary>A subscribe with <c>since</c> recovered every missed publication (<paramref name="recovered"/>) or not.</summary>
    public void Recovery(bool recovered) => _recoveries.Add(1, new KeyValuePair<string, object?>("switchboard.recovered", recovered));

    /// <summary>A broker call of <paramref name="operation"/> (publish, subscribe, unsubscribe, history) returned, failed with <paramref name="errorType"/> if not null.</summary>
    public void BrokerOperation(string operation, string? errorType, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("switchboard.broker.operation", operation);
        if (errorType is null)
        {
            _brokerRoundTrips.Add(1, tag);
        }
        else
        {
            _brokerRoundTrips.Add(1, tag, new KeyValuePair<string, object?>("error.type", errorType));
        }

        _brokerDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
    }

    /// <summary>A server-side failure of <paramref name="errorType"/> (an exception type name or an error code).</summary>
    public void Error(string errorType) => _errors.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>A publication or server send refused at intake, by <paramref name="reason"/> (<c>too_large</c>, <c>invalid_json</c>).</summary>
    public void PublicationRefused(string reason) => _publicationsRefused.Add(1, new KeyValuePair<string, object?>("error.type", reason));

    /// <summary>A node healed a gap in a stream from history.</summary>
    public void GapHealed() => _gapsHealed.Add(1);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

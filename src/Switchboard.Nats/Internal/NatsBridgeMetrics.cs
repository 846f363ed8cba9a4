using System.Diagnostics.Metrics;

namespace Switchboard.Nats.Internal;

/// <summary>
/// The bridge's instruments, on the <c>Switchboard</c> meter (the server's own): messages bridged each way, errors by
/// reason, JetStream redeliveries and the duplicates they were recognised as, and whether NATS is connected.
/// </summary>
/// <remarks>Thread safety: instruments are safe from many threads.</remarks>
internal sealed class NatsBridgeMetrics
{
    public const string MeterName = "Switchboard";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _redeliveries;
    private readonly Counter<long> _duplicates;

    public NatsBridgeMetrics(IMeterFactory meterFactory, NatsBridgeStatus status)
    {
        Meter = meterFactory.Create(MeterName);
        _messages = Meter.CreateCounter<long>("switchboard.nats.messages", "{message}", "Messages carried by the NATS bridge (direction: in = NATS to channels, out = channels to NATS).");
        _errors = Meter.CreateCounter<long>("switchboard.nats.errors", "{error}", "Messages the NATS bridge could not carry, by direction and reason.");
        _redeliveries = Meter.CreateCounter<long>("switchboard.nats.redeliveries", "{message}", "JetStream messages delivered to the bridge more than once.");
        _duplicates = Meter.CreateCounter<long>("switchboard.nats.duplicates", "{message}", "NATS messages not published again because their idempotency key was already used.");
        Meter.CreateObservableGauge("switchboard.nats.connected", () => status.IsConnected ? 1 : 0, description: "1 while the NATS bridge is connected to NATS, else 0.");
    }

    /// <summary>The meter the instruments are on (tests listen to it).</summary>
    public Meter Meter { get; }

    public void Bridged(string direction) => _messages.Add(1, new KeyValuePair<string, object?>("direction", direction));

    public void Error(string direction, string reason) =>
        _errors.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("reason", reason));

    public void Redelivered() => _redeliveries.Add(1);

    public void Duplicate() => _duplicates.Add(1);
}

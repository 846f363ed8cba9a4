namespace Switchboard.Nats;

/// <summary>
/// Whether this node's NATS bridge is connected, for health checks and dashboards. Registered as a singleton by
/// <c>AddSwitchboardNats</c>; the bridge's readiness check (<c>nats</c>, tagged <c>ready</c>) reads it.
/// </summary>
/// <remarks>Thread safety: read from any thread; written by the bridge only.</remarks>
public sealed class NatsBridgeStatus
{
    private volatile bool _connected;
    private long _changedAtTicks = DateTimeOffset.UtcNow.UtcTicks;
    private volatile string _description = "not connected yet";
    private int _activeIntakes;

    /// <summary>Whether the bridge's connection to NATS is open.</summary>
    public bool IsConnected => _connected;

    /// <summary>Since when <see cref="IsConnected"/> has had its value.</summary>
    public DateTimeOffset Since => new(Interlocked.Read(ref _changedAtTicks), TimeSpan.Zero);

    /// <summary>A short description for people: what is connected, or what is wrong (never a secret).</summary>
    public string Description => _description;

    /// <summary>How many bridges take NATS messages in on this node.</summary>
    public int Intakes { get; internal set; }

    /// <summary>How many of them are subscribed right now (their subscription or JetStream consumer is in place).</summary>
    public int ActiveIntakes => Volatile.Read(ref _activeIntakes);

    /// <summary>Connected, and every intake subscribed.</summary>
    public bool IsHealthy => IsConnected && ActiveIntakes == Intakes;

    internal void IntakeStarted() => Interlocked.Increment(ref _activeIntakes);

    internal void IntakeStopped() => Interlocked.Decrement(ref _activeIntakes);

    internal void Set(bool connected, string description)
    {
        if (connected != _connected)
        {
            Interlocked.Exchange(ref _changedAtTicks, DateTimeOffset.UtcNow.UtcTicks);
        }

        _connected = connected;
        _description = description;
    }
}

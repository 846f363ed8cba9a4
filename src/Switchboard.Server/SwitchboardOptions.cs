using Switchboard.Server.Rpc;

namespace Switchboard.Server;

/// <summary>
/// Settings of a Switchboard server. Bound from the <c>Switchboard</c> configuration section
/// (<c>appsettings.json</c>, <c>Switchboard__...</c> environment variables, command-line flags) and validated at start.
/// </summary>
public sealed class SwitchboardOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Switchboard";

    private readonly Dictionary<string, RpcHandler> _rpcHandlers = new(StringComparer.Ordinal);

    /// <summary>This node's id, shown in <c>welcome</c>. Default: a random id per process.</summary>
    public string NodeId { get; set; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The largest client message accepted, in bytes (decoded). Larger ones close the connection with 1009. Default 64 KiB.</summary>
    public int MaxMessageSize { get; set; } = 64 * 1024;

    /// <summary>The most bytes a connection may have waiting to be sent. Past it the connection is closed with 4003. Default 1 MiB.</summary>
    public long OutgoingQueueLimit { get; set; } = 1024 * 1024;

    /// <summary>
    /// The largest publication data (or server send) accepted from any source, in bytes: half of
    /// <see cref="OutgoingQueueLimit"/> (what recovery and <c>history</c> answer within) less 1 KiB for the message
    /// around the data. Derived, not set: data larger than this could never reach a subscriber (it would overflow every
    /// subscriber's queue and close them all with 4003), so every intake refuses it. Default 523,264 bytes.
    /// </summary>
    public int MaxPublicationSize => (int)Math.Clamp(OutgoingQueueLimit / 2 - MessageEnvelopeAllowance, 0, int.MaxValue);

    /// <summary>Bytes kept for a publication's message around its data (type, channel, offset, epoch, from, ts).</summary>
    internal const int MessageEnvelopeAllowance = 1024;

    /// <summary>The largest frame the server builds when it batches several messages for a <c>?batch=1</c> client. Default 64 KiB.</summary>
    public int MaxBatchSize { get; set; } = 64 * 1024;

    /// <summary>How long a client may stay silent before the server sends it a <c>ping</c>. Default 25 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long after a <c>ping</c> the client has to answer before it is closed with 4002. Default 10 s.</summary>
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the server waits for a close handshake to finish before it aborts the connection. Default 1 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long shutdown waits for clients to take their 1001 close before it aborts the rest. Default 10 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most subscriptions one connection may hold; more get <c>limit_exceeded</c>. Default 4096.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 4096;

    /// <summary>How many publications each channel keeps for history and recovery. Default 1,000; 0 keeps none.</summary>
    public int HistorySize { get; set; } = 1000;

    /// <summary>How long a publication stays in history. Default 10 minutes.</summary>
    public TimeSpan HistoryTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a publish idempotency <c>key</c> is remembered per channel. Default 2 minutes.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The rpc methods registered with <see cref="AddRpc"/>.</summary>
    internal IReadOnlyDictionary<string, RpcHandler> RpcHandlers => _rpcHandlers;

    /// <summary>Registers a handler for the rpc method <paramref name="method"/>; a second registration replaces the first.</summary>
    /// <returns>These options, for chaining.</returns>
    public SwitchboardOptions AddRpc(string method, RpcHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        _rpcHandlers[method] = handler;
        return this;
    }
}

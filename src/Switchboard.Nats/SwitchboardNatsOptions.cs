namespace Switchboard.Nats;

/// <summary>
/// The NATS bridge: where NATS is and which subjects and channels it connects. Bound from the <c>Switchboard:Nats</c>
/// configuration section (e.g. <c>Switchboard:Nats:Url=nats://127.0.0.1:4222</c> and
/// <c>Switchboard:Nats:Bridges:0:Subject=order.*</c>); see docs/nats.md.
/// </summary>
public sealed class SwitchboardNatsOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Switchboard:Nats";

    /// <summary>The NATS server URL, e.g. <c>nats://127.0.0.1:4222</c> (several separated by commas; credentials as <c>nats://user:pass@host:4222</c>).</summary>
    public string? Url { get; set; }

    /// <summary>
    /// The NATS queue group (and JetStream consumer prefix) every node of one Switchboard cluster shares, so that each
    /// NATS message is taken in by one node only. Messages this bridge sent to NATS carry it in a header, and the
    /// bridge never takes those in again. Default <c>switchboard</c>.
    /// </summary>
    public string QueueGroup { get; set; } = "switchboard";

    /// <summary>
    /// How many publications bound for NATS wait at most while NATS is slow or down; beyond that they are dropped and
    /// counted as errors (a client's publish never waits for NATS). Default 10,000.
    /// </summary>
    public int OutgoingQueueLimit { get; set; } = 10_000;

    /// <summary>
    /// Whether the node reports not ready (unhealthy) while NATS is down. Default <see langword="false"/>: it reports
    /// degraded and stays ready, because its WebSocket clients are still served and every node shares the same NATS.
    /// </summary>
    public bool RequiredForReadiness { get; set; }

    /// <summary>The subject-to-channel mappings. At least one.</summary>
    public IList<NatsBridgeOptions> Bridges { get; } = [];
}

/// <summary>One mapping between NATS subjects and Switchboard channels.</summary>
public sealed class NatsBridgeOptions
{
    /// <summary>The NATS subject, with NATS wildcards: <c>order.*</c>, <c>sensors.&gt;</c>, <c>payment.completed</c>.</summary>
    public string? Subject { get; set; }

    /// <summary>
    /// The channel template: dot-separated segments, each literal or <c>{N}</c>, the subject's token N counted from 0
    /// (for subject <c>order.created</c>, <c>{0}</c> is <c>order</c> and <c>{1}</c> is <c>created</c>; so
    /// <c>orders.{1}</c> maps it to channel <c>orders.created</c>). Empty: the channel is the subject itself.
    /// </summary>
    public string? Channel { get; set; }

    /// <summary>
    /// <c>json</c> (default): the NATS payload is the publication's data as is (it must be JSON), and the publication's
    /// data is the NATS payload. <c>wrapped</c>: publications get <c>{"subject":...,"data":...}</c> (data as JSON, or
    /// a JSON string when the payload is not JSON), and NATS gets <c>{"channel":...,"data":...,"client":...,"user":...}</c>.
    /// </summary>
    public string? Payload { get; set; }

    /// <summary><c>nats-to-channels</c> (default), <c>channels-to-nats</c> or <c>both</c>.</summary>
    public string? Direction { get; set; }

    /// <summary>
    /// A JetStream stream name: NATS-to-channels intake then reads from a durable consumer of this stream (at least
    /// once, deduplicated by the message id) instead of a plain subscription (at most once). The stream is created
    /// with <see cref="Subject"/> when it does not exist.
    /// </summary>
    public string? Stream { get; set; }

    /// <summary>The durable consumer's name; default <c>{QueueGroup}-{stream}</c>. Every node uses the same one.</summary>
    public string? Consumer { get; set; }

    /// <summary>How long JetStream waits for the bridge's ack before delivering a message again. Default 30 seconds.</summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);
}

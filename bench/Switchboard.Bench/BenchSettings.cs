namespace Switchboard.Bench;

/// <summary>The load generator's modes.</summary>
internal enum BenchMode
{
    Fanout,
    Connections,
    Rpc,
    ReconnectStorm,

    /// <summary>CPU per delivery at one fixed rate and memory per idle connection, on one server.</summary>
    Cost,
}

/// <summary>The servers the load generator can drive (and, for Switchboard, the kind of client).</summary>
internal enum BenchTargetKind
{
    /// <summary>Switchboard with plain clients: one message per frame, as every client written from docs/protocol.md.</summary>
    Switchboard,

    /// <summary>Switchboard with batching clients (<c>?batch=1</c>, as the SDKs connect).</summary>
    SwitchboardBatch,
    SignalR,
    Raw,

    /// <summary>bench/NodeReference: Node.js with npm's <c>ws</c>, the same roles as <see cref="Raw"/>.</summary>
    Node,

    /// <summary>samples/TopicManager: a custom JSON protocol on the handler API, with plain clients.</summary>
    TopicManager,
}

/// <summary>Everything one <c>switchboard-bench</c> run needs, from the command line.</summary>
internal sealed record BenchSettings
{
    public BenchMode Mode { get; init; } = BenchMode.Fanout;

    public BenchTargetKind Target { get; init; } = BenchTargetKind.Switchboard;

    /// <summary>The WebSocket URL; <see langword="null"/> for the target's default.</summary>
    public Uri? Url { get; init; }

    /// <summary>Subscribers (fanout, reconnect-storm), idle connections (connections) or request loops (rpc).</summary>
    public int Connections { get; init; } = 100;

    public int Channels { get; init; } = 1;

    /// <summary>Publish rates to step through, messages per second in total; 0 = as fast as the server keeps up.</summary>
    public IReadOnlyList<double> Rates { get; init; } = [100];

    public int PayloadBytes { get; init; } = 128;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait after the last publish for deliveries still in flight.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections opened per second; 0 = as fast as possible (bounded by <see cref="ConnectConcurrency"/>).</summary>
    public double ConnectRate { get; init; }

    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>Loopback source addresses to spread connections over (127.0.0.1 .. 127.0.0.N); 0 = enough for the count.</summary>
    public int SourceAddresses { get; init; }

    /// <summary>cost: idle, subscribed connections opened beside the subscribers for the memory figure (closed before the fan-out).</summary>
    public int IdleConnections { get; init; }

    /// <summary>How long the connections and cost modes hold their connections open before reading the server's memory.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The server's process id, to read its memory (connections) and CPU use (fanout).</summary>
    public int? ServerPid { get; init; }

    public string RpcMethod { get; init; } = "time";

    /// <summary>In-flight publications allowed in the as-fast-as-possible mode, per channel.</summary>
    public int Window { get; init; } = 16;

    /// <summary>topicmanager: publications sent as concurrent <c>POST /api/publish</c> requests, at most this many at once.</summary>
    public int HttpPublishers { get; init; } = 32;

    /// <summary>Stop stepping rates after the first one where the server fell behind (loss, rate not reached, p99 over 10x the budget).</summary>
    public bool StopWhenNotHeld { get; init; } = true;

    public bool Json { get; init; }

    public FileInfo? Report { get; init; }

    /// <summary>Whether the p99 latency must stay below this for a rate to count as held.</summary>
    public TimeSpan LatencyBudget { get; init; } = TimeSpan.FromMilliseconds(100);
}

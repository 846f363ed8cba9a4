namespace Switchboard.Server.Proxy;

/// <summary>
/// The application's own HTTP backend taking part in decisions (docs/proxy.md): each kind of call is enabled by its
/// URL. Bound from <c>Switchboard:Proxy</c> and validated at start (absolute <c>http</c>/<c>https</c> URLs).
/// </summary>
public sealed class SwitchboardProxyOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Switchboard:Proxy";

    /// <summary>The upgrade-request headers always forwarded to the backend.</summary>
    public static IReadOnlyList<string> DefaultHeaders { get; } = ["Cookie", "Authorization", "User-Agent", "X-Forwarded-For"];

    /// <summary>Called when a client of the built-in protocol arrives without a sign-in or token: the backend says who it is.</summary>
    public ProxyEndpointOptions Connect { get; } = new();

    /// <summary>Called by the node before the <c>expire_at</c> of a connection the connect call let in.</summary>
    public ProxyEndpointOptions Refresh { get; } = new();

    /// <summary>Decides a <c>subscribe</c> on the channels of <see cref="ProxyChannelEndpointOptions.Channels"/>.</summary>
    public ProxyChannelEndpointOptions Subscribe { get; } = new();

    /// <summary>Decides (and may rewrite) a <c>publish</c> on the channels of <see cref="ProxyChannelEndpointOptions.Channels"/>.</summary>
    public ProxyChannelEndpointOptions Publish { get; } = new();

    /// <summary>Answers every <c>rpc</c> whose method no <see cref="SwitchboardOptions.AddRpc"/> handler has.</summary>
    public ProxyEndpointOptions Rpc { get; } = new();

    /// <summary>How long one call may take, queueing included, before the client gets <c>unavailable</c>. Default 1 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Headers forwarded besides <see cref="DefaultHeaders"/>.</summary>
    public List<string> Headers { get; } = [];

    /// <summary>The most calls in flight to the backend from this node. Default 64.</summary>
    public int MaxConcurrentCalls { get; set; } = 64;

    /// <summary>The most calls waiting for one of <see cref="MaxConcurrentCalls"/>; beyond it a command gets <c>unavailable</c> at once. Default 256.</summary>
    public int MaxQueuedCalls { get; set; } = 256;

    /// <summary>The largest backend answer read, in bytes; a larger one is refused unread (<c>unavailable</c>). Default 1 MiB.</summary>
    public int MaxResponseSize { get; set; } = 1024 * 1024;

    /// <summary>How long the circuit breaker stays open (every call refused without being made) once the backend failed. Default 5 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether any kind of call is enabled.</summary>
    internal bool IsEnabled => Connect.IsEnabled || Refresh.IsEnabled || Subscribe.IsEnabled || Publish.IsEnabled || Rpc.IsEnabled;

    /// <summary>Every header forwarded: <see cref="DefaultHeaders"/> and <see cref="Headers"/>.</summary>
    internal IReadOnlyList<string> ForwardedHeaders => field ??= [.. DefaultHeaders.Concat(Headers).Distinct(StringComparer.OrdinalIgnoreCase)];
}

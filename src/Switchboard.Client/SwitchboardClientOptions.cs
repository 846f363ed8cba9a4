using System.Text.Json;

namespace Switchboard.Client;

/// <summary>Settings of a <see cref="SwitchboardClient"/>.</summary>
/// <remarks>Thread safety: set them before creating the client; the client reads them from its own threads and
/// they must not change afterwards.</remarks>
public sealed class SwitchboardClientOptions
{
    /// <summary>The server's WebSocket endpoint, e.g. <c>ws://localhost:8000/ws</c>. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// Returns the token (JWT) to connect with, or <see langword="null"/> for an anonymous connection. Called before
    /// every connection attempt (so a reconnect gets a fresh token) and when the server sends <c>token_expiring</c>.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>The backoff between connection attempts.</summary>
    public ReconnectPolicy Reconnect { get; set; } = new();

    /// <summary>
    /// How long the client waits without hearing anything from the server before it declares the link dead and
    /// reconnects. <see langword="null"/> (the default): the server's ping interval (from <c>welcome</c>) plus 10 s.
    /// </summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>How long one connection attempt (TCP, TLS, upgrade and <c>welcome</c>) may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a command waits for its result, time spent in the offline buffer included, unless the call
    /// says otherwise. Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many commands may wait in the offline buffer while the client is not connected. Default 10,000.</summary>
    public int OfflineBufferSize { get; set; } = 10_000;

    /// <summary>What happens to a command when the offline buffer is full. Default <see cref="OfflineBufferOverflow.Reject"/>.</summary>
    public OfflineBufferOverflow OfflineBufferOverflow { get; set; } = OfflineBufferOverflow.Reject;

    /// <summary>
    /// How many received publications each subscription holds for its handler. When a handler falls this far behind,
    /// the client stops reading the socket, the server's outgoing queue fills, and the server closes with 4003; the
    /// client then reconnects and recovers. Default 10,000.
    /// </summary>
    public int SubscriptionBufferSize { get; set; } = 10_000;

    /// <summary>
    /// Data for the application's backend when it decides who connects (the connect call, docs/proxy.md): sent with
    /// every connection attempt as the upgrade's <c>?data=</c> (so keep it small: it is part of the URL) and forwarded
    /// as the call's <c>data</c>. Default <see langword="null"/>: none.
    /// </summary>
    public JsonElement? ConnectData { get; set; }

    /// <summary>Whether to connect with <c>?batch=1</c>, letting the server pack several messages in one frame. Default true.</summary>
    public bool Batch { get; set; } = true;

    /// <summary>The serializer options of the overloads that take no <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo"/>
    /// (reflection-based; not for trimmed or AOT applications). Default <see langword="null"/>: the web defaults (camelCase).</summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    /// <summary>Throws when a setting is out of range, with a message that names it.</summary>
    public void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || Url.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException("SwitchboardClientOptions.Url must be an absolute ws:// or wss:// address.");
        }

        if (Reconnect is null || Reconnect.MinDelay < TimeSpan.Zero || Reconnect.MaxDelay < Reconnect.MinDelay || Reconnect.MaxAttempts < 0)
        {
            throw new ArgumentException("SwitchboardClientOptions.Reconnect needs 0 <= MinDelay <= MaxDelay and MaxAttempts >= 0.");
        }

        if (HeartbeatTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SwitchboardClientOptions.HeartbeatTimeout and ConnectTimeout must be positive.");
        }

        if (CommandTimeout <= TimeSpan.Zero && CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("SwitchboardClientOptions.CommandTimeout must be positive or infinite.");
        }

        if (OfflineBufferSize < 0 || SubscriptionBufferSize < 1)
        {
            throw new ArgumentException("SwitchboardClientOptions.OfflineBufferSize must be >= 0 and SubscriptionBufferSize >= 1.");
        }
    }
}

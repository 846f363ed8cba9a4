using Microsoft.Extensions.Logging;

namespace Switchboard.Nats.Internal;

/// <summary>Log messages of the NATS bridge (event ids 900-949).</summary>
internal static partial class NatsLog
{
    [LoggerMessage(900, LogLevel.Information, "Switchboard NATS: bridging {Bridges} to {Url} (queue group '{QueueGroup}').")]
    public static partial void Starting(ILogger logger, string bridges, string url, string queueGroup);

    [LoggerMessage(901, LogLevel.Information, "Switchboard NATS: connected to {Server}.")]
    public static partial void Connected(ILogger logger, string server);

    [LoggerMessage(902, LogLevel.Warning, "Switchboard NATS: disconnected ({Reason}); reconnecting. WebSocket clients stay connected; NATS messages are not bridged meanwhile.")]
    public static partial void Disconnected(ILogger logger, string reason);

    [LoggerMessage(903, LogLevel.Warning, "Switchboard NATS: bridge {Subject} stopped ({Reason}); it starts again in {Delay}.")]
    public static partial void BridgeFailed(ILogger logger, string subject, string reason, TimeSpan delay, Exception exception);

    [LoggerMessage(904, LogLevel.Warning, "Switchboard NATS: a message on {Subject} was dropped: {Reason}.")]
    public static partial void MessageDropped(ILogger logger, string subject, string reason);

    [LoggerMessage(905, LogLevel.Warning, "Switchboard NATS: publishing a message on {Subject} to channel {Channel} failed; {Outcome}.")]
    public static partial void PublishFailed(ILogger logger, string subject, string channel, string outcome, Exception exception);

    [LoggerMessage(906, LogLevel.Warning, "Switchboard NATS: the queue to NATS is full ({Limit}); a publication on {Channel} was not forwarded.")]
    public static partial void OutgoingQueueFull(ILogger logger, int limit, string channel);

    [LoggerMessage(907, LogLevel.Warning, "Switchboard NATS: forwarding a publication to {Subject} failed.")]
    public static partial void ForwardFailed(ILogger logger, string subject, Exception exception);

    [LoggerMessage(908, LogLevel.Information, "Switchboard NATS: created JetStream stream {Stream} for {Subject}.")]
    public static partial void StreamCreated(ILogger logger, string stream, string subject);

    [LoggerMessage(909, LogLevel.Information, "Switchboard NATS: bridge {Subject} is taking messages in ({Mode}).")]
    public static partial void IntakeStarted(ILogger logger, string subject, string mode);
}

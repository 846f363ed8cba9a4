using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Nats.Internal;

/// <summary>
/// Channels to NATS: sees every publication made through this node and queues those on a bridged channel for NATS;
/// one loop sends them in order. A client's publish never waits for NATS.
/// </summary>
/// <remarks>
/// Publications the intake made (<see cref="NatsIntake.IsTakingIn"/>) are never forwarded, and what is forwarded
/// carries <see cref="NatsIntake.OriginHeader"/>, so neither side can loop. The queue is bounded
/// (<see cref="SwitchboardNatsOptions.OutgoingQueueLimit"/>); beyond it publications are dropped and counted.
/// Thread safety: <see cref="OnPublished"/> is called from many threads; one reader sends.
/// </remarks>
internal sealed class NatsForwarder : IPublicationObserver
{
    private readonly BridgeRoute[] _routes;
    private readonly NatsBridgeMetrics _metrics;
    private readonly ILogger<NatsForwarder> _logger;
    private readonly string _origin;
    private readonly int _limit;
    private readonly Channel<OutgoingMessage> _queue;

    public NatsForwarder(IOptions<SwitchboardNatsOptions> options, NatsBridgeMetrics metrics, ILogger<NatsForwarder> logger)
    {
        _routes = [.. SwitchboardNatsOptionsValidator.Compile(options.Value, []).Where(static r => r.Direction.HasFlag(BridgeDirection.ChannelsToNats))];
        _metrics = metrics;
        _logger = logger;
        _origin = options.Value.QueueGroup;
        _limit = options.Value.OutgoingQueueLimit;
        _queue = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(_limit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Whether any bridge carries channels to NATS.</summary>
    public bool IsActive => _routes.Length > 0;

    public void OnPublished(PublishRequest request, PublishResult result)
    {
        if (_routes.Length == 0 || NatsIntake.IsTakingIn)
        {
            return;
        }

        foreach (var route in _routes)
        {
            if (route.SubjectFor(request.Channel) is not { } subject)
            {
                continue;
            }

            // The data may live in a receive buffer that is reused after the publish returns: copied here, once.
            var payload = PayloadCodec.ToNatsPayload(route.Payload, request.Channel, request.Data.Span, result.Position.Offset, request.From);
            if (!_queue.Writer.TryWrite(new OutgoingMessage(subject, payload, HeadersFor(request, result))))
            {
                _metrics.Error("out", "queue_full");
                NatsLog.OutgoingQueueFull(_logger, _limit, request.Channel);
            }
        }
    }

    /// <summary>Sends queued publications to NATS until stopped; a publish made while NATS is down waits for the reconnect.</summary>
    public async Task SendAsync(INatsConnection connection, CancellationToken cancellationToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await connection.PublishAsync(message.Subject, message.Payload, message.Headers, cancellationToken: cancellationToken).ConfigureAwait(false);
                _metrics.Bridged("out");
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                _metrics.Error("out", "nats");
                NatsLog.ForwardFailed(_logger, message.Subject, ex);
            }
        }
    }

    private NatsHeaders HeadersFor(PublishRequest request, PublishResult result)
    {
        var offset = result.Position.Offset.ToString(CultureInfo.InvariantCulture);
        var headers = new NatsHeaders
        {
            [NatsIntake.OriginHeader] = _origin,
            ["Switchboard-Channel"] = request.Channel,
            ["Switchboard-Offset"] = offset,
            ["Switchboard-Epoch"] = result.Position.Epoch,

            // One id per publication, so a JetStream stream that captures the subject deduplicates repeats.
            [NatsIntake.MessageIdHeader] = $"{request.Channel}:{result.Position.Epoch}:{offset}",
        };
        if (request.From is { } from)
        {
            headers["Switchboard-Client"] = from.Client;
            if (from.User is not null)
            {
                headers["Switchboard-User"] = from.User;
            }
        }

        return headers;
    }

    private sealed record OutgoingMessage(string Subject, byte[] Payload, NatsHeaders Headers);
}

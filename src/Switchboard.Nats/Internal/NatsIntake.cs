using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Switchboard.Protocol;
using Switchboard.Server;
using Switchboard.Server.Internal;
using Switchboard.Brokers;

namespace Switchboard.Nats.Internal;

/// <summary>
/// Turns one NATS message into a channel publication through the node's <see cref="ISwitchboard"/> (in the bridges'
/// idempotency scope), so offsets, history, recovery and subscriber permissions apply as to any server publish, and
/// a payload no subscriber could take (not JSON in valid UTF-8, larger than the limit) is refused and counted.
/// </summary>
/// <remarks>
/// Loops are impossible by construction on both sides: messages carrying this cluster's <see cref="OriginHeader"/>
/// (sent by its own forwarder) are never taken in, and publications made here run with <see cref="IsTakingIn"/> set,
/// which the forwarder sees (it is called inline in the publish) and never sends back to NATS.
/// Thread safety: stateless; called by every intake loop.
/// </remarks>
internal sealed class NatsIntake(SwitchboardServer server, NatsBridgeMetrics metrics, string queueGroup, ILogger logger)
{
    /// <summary>The header naming the Switchboard cluster (its queue group) that sent a message to NATS.</summary>
    public const string OriginHeader = "Switchboard-Origin";

    /// <summary>NATS's message id header, also JetStream's deduplication id.</summary>
    public const string MessageIdHeader = "Nats-Msg-Id";

    /// <summary>The key of a message with a <c>Nats-Msg-Id</c>: this + the id.</summary>
    public const string MessageIdKeyPrefix = "nats:id:";

    /// <summary>The key of a JetStream message without one: this + stream + ":" + sequence.</summary>
    public const string StreamKeyPrefix = "nats:js:";

    private const int MaxKeyLength = PublishKey.MaxLength;
    private static readonly AsyncLocal<bool> TakingIn = new();

    /// <summary>Whether the current flow is a publish made by the intake (seen by the forwarder's observer).</summary>
    public static bool IsTakingIn => TakingIn.Value;

    /// <summary>Publishes a NATS message to its channel.</summary>
    /// <param name="route">The bridge it arrived on.</param>
    /// <param name="subject">Its subject.</param>
    /// <param name="payload">Its payload.</param>
    /// <param name="headers">Its headers.</param>
    /// <param name="fallbackKey">The idempotency key when it has no <c>Nats-Msg-Id</c> (JetStream: stream and sequence).</param>
    /// <param name="cancellationToken">Stops waiting for the broker.</param>
    public async ValueTask<IntakeOutcome> TakeInAsync(BridgeRoute route, string subject, ReadOnlyMemory<byte> payload, NatsHeaders? headers, string? fallbackKey, CancellationToken cancellationToken)
    {
        if (headers is not null && headers.TryGetLastValue(OriginHeader, out var origin) && origin == queueGroup)
        {
            return IntakeOutcome.OwnEcho;
        }

        var channel = route.ChannelFor(subject);
        if (channel is null)
        {
            return Reject(subject, "invalid_channel", "the subject does not make a valid channel name");
        }

        if (payload.Length > server.MaxPublicationSize)
        {
            // Published, it would overflow every subscriber's queue and close them all with 4003.
            return Reject(subject, "too_large", $"the payload has {payload.Length} bytes, more than the {server.MaxPublicationSize} a subscriber can receive (half of Switchboard:OutgoingQueueLimit less 1 KiB)");
        }

        var data = PayloadCodec.ToChannelData(route.Payload, subject, payload.Span);
        if (data is null)
        {
            return Reject(subject, "invalid_json", "the payload is not one JSON value in valid UTF-8 (use Payload=wrapped for other payloads)");
        }

        // Message ids and stream sequences are two sources of keys: apart, so an id such as "ORDERS:5" is never taken
        // for JetStream message 5. The bridge's scope keeps both apart from clients' and applications' keys.
        var key = headers is not null && headers.TryGetLastValue(MessageIdHeader, out var id) && !string.IsNullOrEmpty(id) ? KeyOf(MessageIdKeyPrefix + id) : fallbackKey is null ? null : KeyOf(fallbackKey);
        TakingIn.Value = true; // flows into the publish below only: an async method restores its caller's context
        try
        {
            var result = await server.PublishFromBridgeAsync(channel, data, key, cancellationToken).ConfigureAwait(false);
            if (result.Duplicate)
            {
                metrics.Duplicate();
                return IntakeOutcome.Duplicate;
            }

            metrics.Bridged("in");
            return IntakeOutcome.Published;
        }
        catch (PublicationTooLargeException ex)
        {
            return Reject(subject, "too_large", ex.Message); // wrapped, the payload grew past the limit
        }
        catch (ArgumentException ex)
        {
            return Reject(subject, ex.ParamName == "data" ? "invalid_json" : "invalid_channel", ex.Message);
        }
        catch (BrokerUnavailableException ex)
        {
            metrics.Error("in", "unavailable");
            NatsLog.PublishFailed(logger, subject, channel, fallbackKey is null ? "the message is lost (at most once without JetStream)" : "JetStream delivers it again", ex);
            return IntakeOutcome.Failed;
        }
        finally
        {
            TakingIn.Value = false;
        }
    }

    /// <summary>Keys are at most 64 characters: a longer id is replaced by its SHA-256 (still unique per message).</summary>
    private static string KeyOf(string key) =>
        key.Length <= MaxKeyLength ? key : "nats#" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private IntakeOutcome Reject(string subject, string reason, string description)
    {
        metrics.Error("in", reason);
        NatsLog.MessageDropped(logger, subject, description);
        return IntakeOutcome.Rejected;
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Nats.Internal;

/// <summary>
/// Turns one NATS message into a channel publication through <see cref="ISwitchboard"/>, so offsets, history,
/// recovery and subscriber permissions apply as to any server publish.
/// </summary>
/// <remarks>
/// Loops are impossible by construction on both sides: messages carrying this cluster's <see cref="OriginHeader"/>
/// (sent by its own forwarder) are never taken in, and publications made here run with <see cref="IsTakingIn"/> set,
/// which the forwarder sees (it is called inline in the publish) and never sends back to NATS.
/// Thread safety: stateless; called by every intake loop.
/// </remarks>
internal sealed class NatsIntake(ISwitchboard server, NatsBridgeMetrics metrics, string queueGroup, ILogger logger)
{
    /// <summary>The header naming the Switchboard cluster (its queue group) that sent a message to NATS.</summary>
    public const string OriginHeader = "Switchboard-Origin";

    /// <summary>NATS's message id header, also JetStream's deduplication id.</summary>
    public const string MessageIdHeader = "Nats-Msg-Id";

    private const int MaxKeyLength = 64;
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

        var data = PayloadCodec.ToChannelData(route.Payload, subject, payload.Span);
        if (data is null)
        {
            return Reject(subject, "invalid_json", "the payload is not one JSON value (use Payload=wrapped for other payloads)");
        }

        var key = headers is not null && headers.TryGetLastValue(MessageIdHeader, out var id) && !string.IsNullOrEmpty(id) ? KeyOf("nats:" + id) : fallbackKey is null ? null : KeyOf(fallbackKey);
        TakingIn.Value = true; // flows into the publish below only: an async method restores its caller's context
        try
        {
            var result = await server.PublishAsync(channel, data, key, cancellationToken).ConfigureAwait(false);
            if (result.Duplicate)
            {
                metrics.Duplicate();
                return IntakeOutcome.Duplicate;
            }

            metrics.Bridged("in");
            return IntakeOutcome.Published;
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

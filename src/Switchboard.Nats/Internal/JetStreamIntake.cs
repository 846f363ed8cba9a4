using System.Globalization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Switchboard.Nats.Internal;

/// <summary>
/// NATS to channels with JetStream: every node pulls from one durable consumer of the stream (so each message goes
/// to one node), publishes, then acknowledges. At least once: a message not acknowledged in time (node died, publish
/// slow, NATS link lost) is delivered again, and its idempotency key (its <c>Nats-Msg-Id</c>, else stream and
/// sequence) makes the second publish return the first publication instead of making another.
/// </summary>
internal static class JetStreamIntake
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Ensures the stream and consumer, then takes messages in until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(INatsConnection connection, BridgeRoute route, NatsIntake intake, NatsBridgeMetrics metrics, NatsBridgeStatus status, ILogger logger, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(connection);
        var stream = route.Stream!;
        await EnsureStreamAsync(js, route, logger, cancellationToken).ConfigureAwait(false);
        var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig(route.Consumer!)
        {
            FilterSubject = route.Subject,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = route.AckWait,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, cancellationToken).ConfigureAwait(false);
        NatsLog.IntakeStarted(logger, route.Subject, $"JetStream stream {stream}, durable consumer {route.Consumer}");
        status.IntakeStarted();
        try
        {
            await ConsumeAsync(consumer, route, intake, metrics, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            status.IntakeStopped();
        }
    }

    private static async Task ConsumeAsync(INatsJSConsumer consumer, BridgeRoute route, NatsIntake intake, NatsBridgeMetrics metrics, CancellationToken cancellationToken)
    {
        var stream = route.Stream!;
        await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var sequence = message.Metadata?.Sequence.Stream ?? 0;
            if (message.Metadata?.NumDelivered > 1)
            {
                metrics.Redelivered();
            }

            var fallbackKey = string.Create(CultureInfo.InvariantCulture, $"{NatsIntake.StreamKeyPrefix}{stream}:{sequence}");
            var outcome = await intake.TakeInAsync(route, message.Subject, message.Data ?? [], message.Headers, fallbackKey, cancellationToken).ConfigureAwait(false);
            if (outcome == IntakeOutcome.Failed)
            {
                // Not published: JetStream offers it again after the delay (to this node or another).
                await message.NakAsync(new AckOpts { NakDelay = RetryDelay }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task EnsureStreamAsync(NatsJSContext js, BridgeRoute route, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await js.GetStreamAsync(route.Stream!, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            await js.CreateStreamAsync(new StreamConfig(route.Stream!, [route.Subject]), cancellationToken).ConfigureAwait(false);
            NatsLog.StreamCreated(logger, route.Stream!, route.Subject);
        }
    }
}

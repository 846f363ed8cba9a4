using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Switchboard.Nats.Internal;

/// <summary>
/// NATS to channels without JetStream: a queue-group subscription, so that each message is taken in by one node of
/// the cluster (at most once: a message that arrives while publishing fails, or while no node is connected, is lost).
/// </summary>
internal static class SubjectIntake
{
    /// <summary>Takes messages in, in arrival order, until the subscription ends or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(INatsConnection connection, BridgeRoute route, string queueGroup, NatsIntake intake, NatsBridgeStatus status, ILogger logger, CancellationToken cancellationToken)
    {
        // The client restores the subscription after a reconnect by itself; the loop only ends on shutdown or disposal.
        await using var subscription = await connection.SubscribeCoreAsync<byte[]>(route.Subject, queueGroup, cancellationToken: cancellationToken).ConfigureAwait(false);
        await connection.PingAsync(cancellationToken).ConfigureAwait(false); // the server has the SUB once it answers
        NatsLog.IntakeStarted(logger, route.Subject, $"subscription, queue group '{queueGroup}'");
        status.IntakeStarted();
        try
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await intake.TakeInAsync(route, message.Subject, message.Data ?? [], message.Headers, fallbackKey: null, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            status.IntakeStopped();
        }
    }
}
